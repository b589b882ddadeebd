//! Today as a list to work through: one compact row per item, one item opened at a time with its
//! forms, and back to the next item after each log.

use reqwest::StatusCode;
use secondcall::config::SeedArgs;
use secondcall::domain::cadence::ContactKind;

use crate::engine::{log_call, new_dm, user};
use crate::helpers::{TestApp, assert_redirect};

/// The rows of the list (each `<li id=… data-due-item>…`, up to the next row or the list's end).
pub fn rows(page: &str) -> Vec<&str> {
    page.match_indices("<li id=\"")
        .filter_map(|(at, _)| {
            let row = &page[at..];
            let end = [row[1..].find("<li id=\""), row.find("</ol>")]
                .into_iter()
                .flatten()
                .min()?;
            row[..end].contains("data-due-item").then(|| &row[..=end])
        })
        .collect()
}

/// A seeded recruiter (the benchmark's generator, small) with a long list, signed in.
pub async fn seeded_recruiter() -> TestApp {
    let (db, _) = crate::helpers::fresh_database().await;
    let args = SeedArgs {
        recruiters: 1,
        decision_makers: 500,
        candidates: 700,
        touches: 9000,
        seed: 3,
        team: "Bench".into(),
    };
    let seeded = secondcall::dev::seed::run(&db, &args).await.unwrap();
    let app = TestApp::spawn_on(db).await;
    let rebuilds = secondcall::due::rebuilds::Rebuilder::new(
        app.db.clone(),
        secondcall::clock::Clock::system(),
        None,
    );
    rebuilds
        .run_now(
            seeded.team_id,
            secondcall::due::runs::RunTrigger::Command,
            None,
        )
        .await
        .unwrap();
    let resp = app
        .post_form(
            "/login",
            &[
                ("email", "recruiter001@bench.test"),
                ("password", secondcall::dev::seed::PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    app
}

#[tokio::test]
async fn an_opened_item_shows_its_last_three_live_touches_newest_first() {
    let app = seeded_recruiter().await;
    let page = app.get("/today").await.text().await.unwrap();
    let ids: Vec<String> = rows(&page)
        .iter()
        .map(|r| r[8..r[8..].find('"').unwrap() + 8].to_string())
        .collect();
    for kind in ["decision_maker", "candidate"] {
        let fk = format!("{kind}_id");
        // the item of this kind on the first page whose contact has the most touches
        let on_page: Vec<i64> = ids
            .iter()
            .filter_map(|id| id.strip_prefix(&format!("{kind}-")))
            .map(|id| id.parse().unwrap())
            .collect();
        let contact: i64 = sqlx::query_scalar(&format!(
            "select {fk} from touches where {fk} = any($1) group by 1 order by count(*) desc, 1 limit 1"
        ))
        .bind(&on_page)
        .fetch_one(&app.db)
        .await
        .unwrap();
        let item = format!("{kind}-{contact}");
        // each touch of the contact says which it is; the newest is deleted and must not show
        sqlx::query(&format!(
            "update touches set notes = 'touch ' || id where {fk} = $1"
        ))
        .bind(contact)
        .execute(&app.db)
        .await
        .unwrap();
        sqlx::query(&format!(
            "update touches set deleted_at = now() where id = \
             (select id from touches where {fk} = $1 order by occurred_at desc, id desc limit 1)"
        ))
        .bind(contact)
        .execute(&app.db)
        .await
        .unwrap();
        let live: Vec<i64> = sqlx::query_scalar(&format!(
            "select id from touches where {fk} = $1 and deleted_at is null \
             order by occurred_at desc, id desc"
        ))
        .bind(contact)
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert!(
            live.len() > 3,
            "{kind} {contact} has {} touches",
            live.len()
        );

        let opened = app
            .get(&format!("/today?open={item}"))
            .await
            .text()
            .await
            .unwrap();
        let at = opened
            .find("aria-label=\"Last touches\"")
            .expect("the opened item's touches");
        let list = &opened[at..at + opened[at..].find("</ul>").unwrap()];
        let shown: Vec<i64> = list
            .match_indices("touch ")
            .map(|(i, _)| {
                let digits: String = list[i + 6..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().unwrap()
            })
            .collect();
        assert_eq!(shown, live[..3].to_vec(), "{kind}: {list}");
    }
}

#[tokio::test]
async fn a_page_of_100_items_is_compact_and_has_no_forms_until_one_is_opened() {
    let app = seeded_recruiter().await;
    let page = app.get("/today").await.text().await.unwrap();
    let list = rows(&page);
    assert_eq!(list.len(), 100, "a full first page");
    assert!(page.len() < 100 * 1024, "{} bytes", page.len());
    let largest = list.iter().map(|r| r.len()).max().unwrap();
    assert!(largest <= 800, "a row of {largest} bytes: {}", list[0]);
    assert!(
        !page.contains("/touches\""),
        "no log form on the plain list"
    );
    assert!(
        !page.contains("/snooze\""),
        "no snooze form on the plain list"
    );
    for row in &list {
        assert!(row.contains("href=\"/contacts/"), "the name links: {row}");
        assert!(
            row.contains("overdue") || row.contains("due today"),
            "{row}"
        );
        assert!(row.contains("/today?open="), "an Open link: {row}");
    }
    assert!(list.iter().any(|r| r.contains("href=\"tel:")));

    // opening the third item puts its details and its two forms in the page, for it alone
    let third = &list[2];
    let id = &third[8..third[8..].find('"').unwrap() + 8];
    let opened = app
        .get(&format!("/today?open={id}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(opened.matches("aria-label=\"Log a touch\"").count(), 1);
    assert_eq!(opened.matches("aria-label=\"Snooze\"").count(), 1);
    let open_rows = rows(&opened);
    let with_form: Vec<&&str> = open_rows.iter().filter(|r| r.contains("<form")).collect();
    assert_eq!(with_form.len(), 1);
    assert!(with_form[0].starts_with(&format!("<li id=\"{id}\"")));
    assert!(with_form[0].contains("aria-label=\"Last touches\""));
    assert!(with_form[0].contains("class=\"hint\""));
    // the log form leads back to the list at the next item, this one marked
    let fourth = &list[3][8..list[3][8..].find('"').unwrap() + 8];
    assert!(
        opened.contains(&format!(
            "name=\"return_to\" value=\"/today?open={fourth}&#38;done={id}#{fourth}\""
        )),
        "{}",
        with_form[0]
    );
    // an unknown or foreign item opens nothing
    for bad in ["decision_maker-999999", "nobody-1", "candidate-x"] {
        let page = app.get(&format!("/today?open={bad}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            !page
                .text()
                .await
                .unwrap()
                .contains("<form method=\"post\" action=\"/contacts/")
        );
    }
}

#[tokio::test]
async fn after_a_log_the_list_opens_at_the_next_item() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let rob = user(&app, "rob@acme.test").await;
    let kind = ContactKind::DecisionMaker;
    let mut ids = Vec::new();
    for (name, days) in [("Ann First", 12), ("Bob Second", 11), ("Cy Third", 10)] {
        let dm = new_dm(&app, &rob, name, "warm").await;
        log_call(&app, &rob, kind, dm, "no_answer", days, None).await;
        ids.push(dm);
    }
    app.login("rob@acme.test").await;
    let list = app.get("/today").await.text().await.unwrap();
    let order: Vec<usize> = ["Ann First", "Bob Second", "Cy Third"]
        .iter()
        .map(|n| list.find(n).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "most overdue first");

    let (first, second) = (
        format!("decision_maker-{}", ids[0]),
        format!("decision_maker-{}", ids[1]),
    );
    let opened = app
        .get(&format!("/today?open={first}"))
        .await
        .text()
        .await
        .unwrap();
    let back = format!("/today?open={second}&done={first}#{second}");
    assert!(
        opened.contains(&back.replace('&', "&#38;")),
        "{back} in {opened}"
    );
    let resp = app
        .post_form(
            &format!("/contacts/decision-makers/{}/touches", ids[0]),
            &[
                ("channel", "call"),
                ("outcome", "connected"),
                ("next_step_on", "2099-01-04"),
                ("return_to", &back),
            ],
        )
        .await;
    // what the log led to travels in the URL back to Today, not in the session
    let to = format!(
        "/today?open={second}&done={first}&logged=next.promised_follow_up.2099-01-04#{second}"
    );
    assert_redirect(&resp, &to);
    let page = app.get(&to).await.text().await.unwrap();
    assert!(
        page.contains("Logged. Next: Sun 4 Jan 2099, promised follow-up."),
        "the message says what happened: {page}"
    );
    assert!(!page.contains("Ann First"), "the logged item is gone");
    let plain = app.get("/today").await.text().await.unwrap();
    assert!(
        !plain.contains("Logged."),
        "the message shows once, on that page"
    );
    let next = rows(&page)
        .into_iter()
        .find(|r| r.contains("Bob Second"))
        .unwrap();
    assert!(next.contains("due-row open") && next.contains("aria-label=\"Log a touch\""));

    // a log that leaves the item due marks it on the list
    let third = format!("decision_maker-{}", ids[2]);
    let back = format!("/today?open={third}&done={second}#{third}");
    let resp = app
        .post_form(
            &format!("/contacts/decision-makers/{}/touches", ids[1]),
            &[
                ("channel", "email"),
                ("outcome", "sent"),
                ("return_to", &back),
            ],
        )
        .await;
    let to = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        to.starts_with(&format!("/today?open={third}&done={second}&logged="))
            && to.ends_with(&format!("#{third}")),
        "{to}"
    );
    let page = app.get(&to).await.text().await.unwrap();
    assert!(page.contains("Logged."), "{page}");
    if let Some(row) = rows(&page).into_iter().find(|r| r.contains("Bob Second")) {
        assert!(row.contains("done") && row.contains("Logged"), "{row}");
    }
}

#[tokio::test]
async fn an_invalid_log_from_an_opened_item_shows_it_again_with_the_error() {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let rob = user(&app, "rob@acme.test").await;
    let kind = ContactKind::DecisionMaker;
    let dm = new_dm(&app, &rob, "Dana Client", "warm").await;
    log_call(&app, &rob, kind, dm, "no_answer", 9, None).await;
    app.login("rob@acme.test").await;
    let resp = app
        .post_form(
            &format!("/contacts/decision-makers/{dm}/touches"),
            &[
                ("channel", "call"),
                ("outcome", "connected"),
                ("notes", "Talked about Q3"),
                ("return_to", "/today?reason=second_call"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = resp.text().await.unwrap();
    let row = rows(&page)
        .into_iter()
        .find(|r| r.contains("Dana Client"))
        .unwrap();
    assert!(row.contains("due-row open"), "{row}");
    assert!(row.contains("Talked about Q3"), "what was typed is kept");
    assert!(row.contains("class=\"error\""), "{row}");
}

/// Today's and the board's reads and the everyday writes share kept connections (`db::hot`),
/// here one: a page's reads run without a transaction around them, so nothing is left open on
/// the connection between requests, and each write after them is kept.
#[tokio::test]
async fn a_page_read_leaves_its_connection_ready_for_the_next_write() {
    let (one, _) = crate::helpers::fresh_database().await;
    let mut config = secondcall::config::Config::for_database("postgres://unused");
    config.database_pool_size = Some(1);
    let clock = secondcall::clock::Clock::starting_at(chrono::Utc::now());
    let app = TestApp::spawn_with(one.clone(), config, clock).await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let rob = user(&app, "rob@acme.test").await;
    let kind = ContactKind::DecisionMaker;
    let dm = new_dm(&app, &rob, "Ann First", "warm").await;
    log_call(&app, &rob, kind, dm, "no_answer", 12, None).await;
    app.login("rob@acme.test").await;
    for round in 0..3 {
        let page = app.get("/today").await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(app.get("/board").await.status(), StatusCode::OK);
        let resp = app
            .post_form(
                &format!("/contacts/decision-makers/{dm}/touches"),
                &[("channel", "email"), ("outcome", "sent"), ("notes", "x")],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "round {round}");
        let logged: i64 = sqlx::query_scalar(
            "select count(*) from touches where decision_maker_id = $1 and channel = 'email'",
        )
        .bind(dm)
        .fetch_one(&one)
        .await
        .unwrap();
        assert_eq!(logged, round + 1, "the write after the reads was kept");
    }
    let open: i64 = sqlx::query_scalar(
        "select count(*) from pg_stat_activity where datname = current_database() \
         and state like 'idle in transaction%'",
    )
    .fetch_one(&one)
    .await
    .unwrap();
    assert_eq!(
        open, 0,
        "no transaction is left open on a pooled or kept connection"
    );
}

/// The ids of the rows of a page, in page order (`decision_maker-42`).
fn row_ids(page: &str) -> Vec<String> {
    rows(page)
        .iter()
        .map(|r| r[8..8 + r[8..].find('"').unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn every_page_lists_the_stored_items_in_list_order() {
    // the head brings the user's own rows as arrays: they must come back in the list's order,
    // whole, on any page and with a reason filter
    let app = seeded_recruiter().await;
    let stored: Vec<(String, String)> = sqlx::query_as(
        "select i.reason, i.contact_kind || '-' || i.contact_id from due_items i \
         join users u on u.id = i.user_id where u.email = 'recruiter001@bench.test' \
         order by i.reason_rank, i.due_on, i.temperature_rank, i.contact_kind, i.contact_id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(stored.len() > 100, "two pages at least: {}", stored.len());
    let all: Vec<String> = stored.iter().map(|(_, id)| id.clone()).collect();
    let first = row_ids(&app.get("/today").await.text().await.unwrap());
    assert_eq!(first, all[..100]);
    let second = row_ids(&app.get("/today?page=2").await.text().await.unwrap());
    assert_eq!(second, all[100..all.len().min(200)]);

    let reason = stored[stored.len() - 1].0.clone();
    let of_reason: Vec<String> = stored
        .iter()
        .filter(|(r, _)| *r == reason)
        .map(|(_, id)| id.clone())
        .take(100)
        .collect();
    let filtered = row_ids(
        &app.get(&format!("/today?reason={reason}"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(filtered, of_reason, "reason {reason}");
}

/// The decision makers Today suggests calling next, as the page links them.
fn suggested(page: &str) -> Vec<i64> {
    let Some(at) = page.find("<details class=\"fresh\">") else {
        return Vec::new();
    };
    let section = &page[at..at + page[at..].find("</details>").unwrap()];
    section
        .match_indices("href=\"/contacts/decision-makers/")
        .map(|(i, m)| {
            let id = &section[i + m.len()..];
            id[..id.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

#[tokio::test]
async fn the_never_called_suggestions_follow_the_first_attempts() {
    // the owner's first five active DMs without an attempt, counted from the touches here; the
    // page reads the marker the first attempts keep (`decision_makers.tried`) and its index
    let app = seeded_recruiter().await;
    let counted = || async {
        sqlx::query_scalar::<_, i64>(
            "select d.id from decision_makers d join users u on u.id = d.owner_id \
             where u.email = 'recruiter001@bench.test' and d.archived_at is null and not d.do_not_contact \
               and not exists (select 1 from touches t where t.decision_maker_id = d.id and t.deleted_at is null \
                                 and is_attempt(t.direction, t.channel, t.outcome)) \
             order by d.id limit 5",
        )
        .fetch_all(&app.db)
        .await
        .unwrap()
    };
    let shown = suggested(&app.get("/today").await.text().await.unwrap());
    assert_eq!(shown.len(), 5, "the seed leaves many untried");
    assert_eq!(shown, counted().await);

    // a first attempt takes the DM off, and the next untried one comes in
    let first = shown[0];
    let resp = app
        .post_form(
            &format!("/contacts/decision-makers/{first}/touches"),
            &[("channel", "call"), ("outcome", "no_answer")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let now = suggested(&app.get("/today").await.text().await.unwrap());
    assert!(!now.contains(&first), "{now:?}");
    assert_eq!(now[..4], shown[1..], "the others stay, in id order");
    assert_eq!(now, counted().await);

    // a touch that is no attempt leaves the DM where it is
    let resp = app
        .post_form(
            &format!("/contacts/decision-makers/{}/touches", now[0]),
            &[("channel", "email"), ("outcome", "bounced")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        suggested(&app.get("/today").await.text().await.unwrap()),
        now
    );

    // its only attempt deleted, the first one is untried again
    let touch: i64 = sqlx::query_scalar(
        "select id from touches where decision_maker_id = $1 and deleted_at is null order by id desc limit 1",
    )
    .bind(first)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let resp = app
        .post_form(&format!("/touches/{touch}/delete"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        suggested(&app.get("/today").await.text().await.unwrap()),
        shown
    );
    let marked: i64 = sqlx::query_scalar(
        "select count(*) from decision_makers d where d.tried <> exists \
           (select 1 from dm_first_attempts f where f.team_id = d.team_id and f.decision_maker_id = d.id)",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(marked, 0, "every DM's marker agrees with its first attempt");
}
