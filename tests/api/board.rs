//! Job orders and the pipeline board over HTTP: cards, filters, moves, conflicts, isolation.

use reqwest::StatusCode;
use secondcall::actions::input::ContactInput;
use secondcall::actions::jobs::{JobInput, add_candidate};
use secondcall::db::users::User;
use secondcall::domain::cadence::ContactKind;
use secondcall::domain::pipeline::Stage;

use crate::engine::user;
use crate::helpers::{TestApp, assert_redirect};

pub struct Pipeline {
    pub job: i64,
    pub apps: Vec<i64>,
    pub candidates: Vec<i64>,
}

/// A company with an open job and candidates at the given stages, owned by `owner`.
pub async fn pipeline(app: &TestApp, owner: &User, company: &str, stages: &[Stage]) -> Pipeline {
    let company_id = secondcall::db::companies::insert(&app.db, owner.team_id, company, "", "")
        .await
        .unwrap();
    let w = JobInput {
        title: format!("Engineer at {company}"),
        company_id: Some(company_id),
        ..Default::default()
    }
    .parse(owner.id)
    .unwrap();
    let job = secondcall::actions::jobs::create(&app.ctx(), owner, &w)
        .await
        .unwrap();
    let mut apps = Vec::new();
    let mut candidates = Vec::new();
    for (i, stage) in stages.iter().enumerate() {
        let c = ContactInput {
            name: format!("Cand {company} {i}"),
            phone: "+1 555 0100".into(),
            ..Default::default()
        };
        let w = c.parse(ContactKind::Candidate, owner.id).unwrap();
        let cand =
            secondcall::actions::contacts::create(&app.ctx(), owner, ContactKind::Candidate, &w)
                .await
                .unwrap();
        apps.push(
            add_candidate(&app.ctx(), owner, job, cand, Some(*stage))
                .await
                .unwrap(),
        );
        candidates.push(cand);
    }
    Pipeline {
        job,
        apps,
        candidates,
    }
}

async fn stage_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("select stage from applications where id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_board_shows_open_jobs_cards_by_stage_with_filters_in_the_url() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia = user(&app, "mia@acme.test").await;
    let a = pipeline(
        &app,
        &mia,
        "Initech",
        &[Stage::Screening, Stage::Presented, Stage::Rejected],
    )
    .await;
    let b = pipeline(&app, &mia, "Globex", &[Stage::Offer]).await;
    app.login("rob@acme.test").await;
    let html = app.get("/board").await.text().await.unwrap();
    assert!(html.contains("Cand Initech 0") && html.contains("Cand Globex 0"));
    assert!(
        html.contains("Show 1"),
        "the rejected column is collapsed with its count"
    );
    assert!(
        !html.contains("Cand Initech 2"),
        "collapsed cards are not listed"
    );
    let filtered = app
        .get(&format!("/board?job={}", b.job))
        .await
        .text()
        .await
        .unwrap();
    assert!(filtered.contains("Cand Globex 0") && !filtered.contains("Cand Initech 0"));
    let expanded = app.get("/board?stage=rejected").await.text().await.unwrap();
    assert!(expanded.contains("Cand Initech 2"));
    let _ = a;
}

#[tokio::test]
async fn a_card_moves_with_its_form_and_every_move_is_kept() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Screening]).await;
    let _ = team;
    app.login("mia@acme.test").await;
    let resp = app
        .post_form(
            &format!("/applications/{}/move", p.apps[0]),
            &[
                ("stage", "presented"),
                ("version", "1"),
                ("return_to", "/board?owner=1"),
            ],
        )
        .await;
    // back to the same board, which says what happened (the message rides in the URL)
    assert_redirect(&resp, "/board?owner=1&moved=presented");
    assert_eq!(stage_of(&app, p.apps[0]).await, "presented");
    let board = app
        .get("/board?owner=1&moved=presented")
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains("Moved to Presented."));
    let page = app
        .get(&format!("/applications/{}", p.apps[0]))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Screening → Presented"));
    let cand = app
        .get(&format!("/contacts/candidates/{}", p.candidates[0]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        cand.contains("Screening → Presented"),
        "the candidate page shows the moves"
    );
}

#[tokio::test]
async fn a_move_based_on_a_stale_stage_is_refused_and_says_why() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Screening]).await;
    app.login("mia@acme.test").await;
    let path = format!("/applications/{}/move", p.apps[0]);
    app.post_form(
        &path,
        &[
            ("stage", "presented"),
            ("version", "1"),
            ("return_to", "/board"),
        ],
    )
    .await;
    let second = app
        .post_form(
            &path,
            &[
                ("stage", "rejected"),
                ("version", "1"),
                ("return_to", "/board"),
            ],
        )
        .await;
    assert_redirect(&second, "/board");
    assert_eq!(
        stage_of(&app, p.apps[0]).await,
        "presented",
        "the stale move changed nothing"
    );
    let board = app.get("/board").await.text().await.unwrap();
    assert!(
        board.contains("moved") && board.contains("meanwhile"),
        "a clear message"
    );
    let moves: i64 = sqlx::query_scalar(
        "select count(*) from application_stage_changes where application_id = $1",
    )
    .bind(p.apps[0])
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(moves, 2, "the add and one move");
}

#[tokio::test]
async fn adding_a_candidate_twice_is_a_message_not_a_duplicate() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Sourced]).await;
    app.login("mia@acme.test").await;
    let back = format!("/jobs/{}", p.job);
    let resp = app
        .post_form(
            "/applications",
            &[
                ("job_id", &p.job.to_string()),
                ("candidate_id", &p.candidates[0].to_string()),
                ("return_to", &back),
            ],
        )
        .await;
    assert_redirect(&resp, &back);
    assert!(
        app.get(&back)
            .await
            .text()
            .await
            .unwrap()
            .contains("already in this job")
    );
    let n: i64 = sqlx::query_scalar("select count(*) from applications")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn rejecting_a_presented_candidate_puts_a_sign_off_call_on_today() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Presented, Stage::Screening]).await;
    app.login("mia@acme.test").await;
    app.post_form(
        &format!("/applications/{}/move", p.apps[0]),
        &[("stage", "rejected"), ("return_to", "/board")],
    )
    .await;
    app.post_form(
        &format!("/applications/{}/move", p.apps[1]),
        &[("stage", "rejected"), ("return_to", "/board")],
    )
    .await;
    let today = app.get("/today").await.text().await.unwrap();
    assert!(today.contains("Sign-off call") && today.contains("Cand Initech 0"));
    assert!(
        !today.contains("Cand Initech 1"),
        "never presented: no sign-off call"
    );
}

#[tokio::test]
async fn another_teams_jobs_and_applications_answer_404() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Screening]).await;
    app.create_team("Globex", "gus@globex.test").await;
    app.login("gus@globex.test").await;
    assert_eq!(
        app.get(&format!("/jobs/{}", p.job)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/applications/{}", p.apps[0]))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let moved = app
        .post_form(
            &format!("/applications/{}/move", p.apps[0]),
            &[("stage", "placed"), ("version", "1")],
        )
        .await;
    assert_eq!(moved.status(), StatusCode::NOT_FOUND);
    assert_eq!(stage_of(&app, p.apps[0]).await, "screening");
    let added = app
        .post_form(
            "/applications",
            &[
                ("job_id", &p.job.to_string()),
                ("candidate_id", &p.candidates[0].to_string()),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::NOT_FOUND);
    assert!(
        !app.get("/board")
            .await
            .text()
            .await
            .unwrap()
            .contains("Initech")
    );
}

#[tokio::test]
async fn a_job_is_opened_from_its_company_and_edited() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    app.login("mia@acme.test").await;
    let company = app
        .post_form("/companies", &[("name", "Initech")])
        .await
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    let company_id = company.rsplit('/').next().unwrap().to_string();
    let form = app.get(&format!("/jobs/new?company_id={company_id}")).await;
    assert_eq!(form.status(), StatusCode::OK);
    let bad = app
        .post_form(
            "/jobs",
            &[
                ("company_id", &company_id),
                ("title", ""),
                ("status", "open"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .post_form(
            "/jobs",
            &[
                ("company_id", &company_id),
                ("title", "Rust engineer"),
                ("status", "open"),
            ],
        )
        .await;
    let job = ok.headers()["location"].to_str().unwrap().to_string();
    assert!(
        app.get(&job)
            .await
            .text()
            .await
            .unwrap()
            .contains("Rust engineer")
    );
    let edit = app
        .post_form(
            &job,
            &[("title", "Senior Rust engineer"), ("status", "on_hold")],
        )
        .await;
    assert_redirect(&edit, &job);
    let status: String = sqlx::query_scalar("select status from job_orders")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "on_hold");
}

#[tokio::test]
async fn a_column_shows_its_first_50_cards_and_links_to_the_rest() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let rob_id = app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Screening; 52]).await;
    app.login("mia@acme.test").await;
    let html = app.get("/board").await.text().await.unwrap();
    assert_eq!(html.matches("data-card=").count(), 50);
    assert!(html.contains("52 candidates in open jobs"));
    assert!(
        html.contains("href=\"/board?stage=screening\">All 52"),
        "a link to the whole column"
    );
    assert!(
        html.contains(&format!("data-card={}>", p.apps[0])),
        "the longest in the stage come first"
    );
    assert!(!html.contains(&format!("data-card={}>", p.apps[51])));
    let all = app
        .get("/board?stage=screening")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(all.matches("data-card=").count(), 52);
    // the move form of an expanded column brings the mover back to it
    assert!(all.contains("name=return_to value=\"/board?stage=screening\""));
    // the owner and company filters narrow the cards and the counts
    let robs = app
        .get(&format!("/board?owner={rob_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(robs.matches("data-card=").count(), 0);
    assert!(robs.contains("0 candidates in open jobs"));
    let company: i64 = sqlx::query_scalar("select company_id from job_orders where id = $1")
        .bind(p.job)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let theirs = app
        .get(&format!("/board?company={company}&owner={}", mia.id))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(theirs.matches("data-card=").count(), 50);
}

#[tokio::test]
async fn a_refused_move_keeps_its_message_in_the_session_and_moved_names_only_stages() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Presented]).await;
    app.login("mia@acme.test").await;
    let path = format!("/applications/{}/move", p.apps[0]);
    let stale = app
        .post_form(&path, &[("stage", "offer"), ("version", "7")])
        .await;
    assert_redirect(&stale, "/board");
    let board = app.get("/board").await.text().await.unwrap();
    assert!(board.contains("Someone moved Cand Initech 0 to Presented meanwhile"));
    assert!(!board.contains("Moved to"));
    // a moved= naming no stage shows nothing
    let odd = app.get("/board?moved=%3Cb%3E").await;
    assert_eq!(odd.status(), StatusCode::OK);
    assert!(!odd.text().await.unwrap().contains("Moved to"));
}

/// One recruiter's stored list and open history, as the rules see them.
async fn list_and_history(app: &TestApp, owner: i64) -> (Vec<String>, Vec<String>) {
    let items: Vec<String> = sqlx::query_scalar(
        "select concat_ws(' ', contact_kind, contact_id, reason, due_on, strike, suggested_approach) \
         from due_items where user_id = $1 order by 1",
    )
    .bind(owner)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let open: Vec<String> = sqlx::query_scalar(
        "select concat_ws(' ', contact_kind, contact_id, reason, first_due_on, strike, approach) \
         from due_item_history where owner_id = $1 and settled_at is null order by 1",
    )
    .bind(owner)
    .fetch_all(&app.db)
    .await
    .unwrap();
    (items, open)
}

/// A move and a call on the same candidate at the same moment, over and over (with the team's
/// rebuild now and then): each writer of a contact decides under its lock, after the other's
/// commit, so the list left behind is always what a rebuild makes of the final facts, and no
/// writer deadlocks.
#[tokio::test]
async fn a_move_and_a_call_on_one_candidate_at_once_leave_a_true_list() {
    use reqwest::Method;
    use serde_json::json;

    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Presented]).await;
    let (manager, rob) = (
        app.token_for("mia@acme.test").await,
        app.token_for("rob@acme.test").await,
    );
    let path = format!("/applications/{}", p.apps[0]);
    // a loss after presented makes a sign-off call due
    let mut saw_sign_off = false;
    for round in 0..16 {
        let stage = if round % 2 == 0 {
            "rejected"
        } else {
            "presented"
        };
        // a voicemail after the loss settles its sign-off call
        let touch = json!({"candidate_id": p.candidates[0], "channel": "call", "outcome": "voicemail_left"});
        let move_it = app.api(
            Method::PATCH,
            &path,
            &manager,
            Some(json!({"stage": stage})),
        );
        let call = app.api(Method::POST, "/touches", &rob, Some(touch));
        let rebuild = async {
            if round % 4 == 3 {
                app.api(Method::POST, "/due/rebuild", &manager, None).await
            } else {
                (StatusCode::OK, serde_json::Value::Null)
            }
        };
        let (moved, called, rebuilt) = tokio::join!(move_it, call, rebuild);
        for (status, body) in [moved, called, rebuilt] {
            assert!(status.is_success(), "round {round}: {status}: {body}");
        }
        let stored = list_and_history(&app, mia.id).await;
        saw_sign_off |= stored.0.iter().any(|item| item.contains("sign_off"));
        let (status, body) = app.api(Method::POST, "/due/rebuild", &manager, None).await;
        assert!(status.is_success(), "{status}: {body}");
        assert_eq!(
            stored,
            list_and_history(&app, mia.id).await,
            "round {round}"
        );
    }
    assert!(saw_sign_off, "the rejections made sign-off calls due");
}

#[tokio::test]
async fn the_board_script_moves_a_card_in_place_with_a_json_answer() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Screening]).await;
    app.login("mia@acme.test").await;
    let path = format!("/applications/{}/move", p.apps[0]);
    let post = |stage: &'static str, version: &'static str| {
        app.client
            .post(app.url(&path))
            .header("Accept", "application/json")
            .form(&[("stage", stage), ("version", version)])
            .send()
    };
    let resp = post("presented", "1").await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "no redirect, no reload");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["stage"], "presented");
    assert_eq!(body["label"], "Presented");
    assert_eq!(body["version"], 2);
    assert_eq!(stage_of(&app, p.apps[0]).await, "presented");
    // the next move uses the new version; the old one is refused with the reason, as JSON
    let stale = post("offer", "1").await.unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let body: serde_json::Value = stale.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("meanwhile")
    );
    let unknown = post("nowhere", "2").await.unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = post("offer", "2").await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(stage_of(&app, p.apps[0]).await, "offer");
    // the board counts the card in its new column
    let board = app.get("/board").await.text().await.unwrap();
    assert!(board.contains("Offer <span class=\"muted count\" data-count>1</span>"));
}

#[tokio::test]
async fn days_in_a_stage_are_counted_in_the_viewers_calendar() {
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    sqlx::query("update users set time_zone = 'America/New_York'")
        .execute(&app.db)
        .await
        .unwrap();
    let mia = user(&app, "mia@acme.test").await;
    let p = pipeline(&app, &mia, "Initech", &[Stage::Screening]).await;
    // moved at 21:30 on Monday in New York, already Tuesday in UTC
    let moved: chrono::DateTime<chrono::Utc> = "2026-03-10T01:30:00Z".parse().unwrap();
    sqlx::query("update applications set stage_changed_at = $1 where id = $2")
        .bind(moved)
        .bind(p.apps[0])
        .execute(&app.db)
        .await
        .unwrap();
    app.login("mia@acme.test").await;
    let day_count = |html: &str| {
        let at = html
            .find("Cand Initech 0")
            .expect("the card is on the board");
        let rest = &html[at..];
        let end = rest.find(" in stage").expect("its days in stage");
        rest[..end]
            .rsplit(" · ")
            .next()
            .unwrap_or_default()
            .to_string()
    };
    // Tuesday 10:00 in New York: one day after Monday's move
    app.clock().set("2026-03-10T14:00:00Z".parse().unwrap());
    let html = app.get("/board").await.text().await.unwrap();
    assert_eq!(day_count(&html), "1 day");
    // Monday 23:00 in New York (Tuesday in UTC): the same day as the move
    app.clock().set("2026-03-10T03:00:00Z".parse().unwrap());
    let html = app.get("/board").await.text().await.unwrap();
    assert_eq!(day_count(&html), "0 days");
}
