//! The reports of the Team page and the API on small hand-built datasets: every expected figure
//! is worked out by hand in a comment next to the rows that make it.
//!
//! Data goes in by direct SQL (touches with explicit `occurred_at`, due-item history rows), so
//! each case controls exactly what the reports read. Everyone works in New York time; the period
//! is the 60 days before today (`d0` .. `today - 1`).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use secondcall::db::reports::{Figure, Scope};
use secondcall::reports::card::{FigureCard, TeamReport};

use crate::helpers::TestApp;

mod attempts;
mod browser;
mod coverage;
mod follow_through;
mod history;
mod http;
mod second_call;
mod summaries;

/// A contact a touch or an item is about.
#[derive(Clone, Copy)]
enum C {
    Dm(i64),
    Cand(i64),
}

/// A team (Acme) with a manager, two recruiters, one who left, and an unrelated team.
struct Fx {
    app: TestApp,
    team: i64,
    other_team: i64,
    mia: i64,
    rob: i64,
    sue: i64,
    dan: i64,
    olga: i64,
    today: NaiveDate,
    d0: NaiveDate,
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn fx() -> Fx {
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    let other_team = app.create_team("Other", "olga@other.test").await;
    let rob = app.create_user(team, "rob@acme.test", "recruiter").await;
    let sue = app.create_user(team, "sue@acme.test", "recruiter").await;
    let dan = app.create_user(team, "dan@acme.test", "recruiter").await;
    sqlx::query("update users set name = case email when 'rob@acme.test' then 'Rob Recruiter' when 'sue@acme.test' then 'Sue Smith' when 'dan@acme.test' then 'Dan Gone' else name end")
        .execute(&app.db)
        .await
        .unwrap();
    let mia = user_id(&app, "mia@acme.test").await;
    let olga = user_id(&app, "olga@other.test").await;
    let today = secondcall::due::engine::today_at(chrono::Utc::now(), New_York);
    Fx {
        app,
        team,
        other_team,
        mia,
        rob,
        sue,
        dan,
        olga,
        today,
        d0: today - Duration::days(60),
    }
}

/// An instant given as a New York wall-clock time.
fn ny(d: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    New_York
        .from_local_datetime(&d.and_hms_opt(h, m, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// Noon in New York, `n` days after `d`.
fn noon(d: NaiveDate, n: i64) -> DateTime<Utc> {
    ny(d + Duration::days(n), 12, 0)
}

impl Fx {
    /// Dan leaves: deactivated, his touches stay his.
    async fn dan_leaves(&self) {
        sqlx::query("update users set active = false where id = $1")
            .bind(self.dan)
            .execute(&self.app.db)
            .await
            .unwrap();
    }

    async fn dm_in(&self, team: i64, owner: i64, name: &str) -> i64 {
        // Created long ago: coverage counts only the DMs that existed on its day.
        sqlx::query_scalar("insert into decision_makers (team_id, owner_id, name, created_at) values ($1, $2, $3, now() - interval '400 days') returning id")
            .bind(team)
            .bind(owner)
            .bind(name)
            .fetch_one(&self.app.db)
            .await
            .unwrap()
    }

    async fn dm(&self, owner: i64, name: &str) -> i64 {
        self.dm_in(self.team, owner, name).await
    }

    async fn cand(&self, owner: i64, name: &str) -> i64 {
        sqlx::query_scalar(
            "insert into candidates (team_id, owner_id, name) values ($1, $2, $3) returning id",
        )
        .bind(self.team)
        .bind(owner)
        .bind(name)
        .fetch_one(&self.app.db)
        .await
        .unwrap()
    }

    /// Any touch, in any team.
    #[expect(clippy::too_many_arguments, reason = "a test row spelled out in full")]
    async fn touch_full(
        &self,
        team: i64,
        c: C,
        author: i64,
        channel: &str,
        direction: &str,
        outcome: &str,
        at: DateTime<Utc>,
        referrals: i32,
    ) -> i64 {
        let (dm, cand) = match c {
            C::Dm(id) => (Some(id), None),
            C::Cand(id) => (None, Some(id)),
        };
        sqlx::query_scalar(
            "insert into touches (team_id, decision_maker_id, candidate_id, author_id, channel, direction, outcome, occurred_at, referrals) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
        )
        .bind(team)
        .bind(dm)
        .bind(cand)
        .bind(author)
        .bind(channel)
        .bind(direction)
        .bind(outcome)
        .bind(at)
        .bind(referrals)
        .fetch_one(&self.app.db)
        .await
        .unwrap()
    }

    async fn touch(
        &self,
        c: C,
        author: i64,
        channel: &str,
        direction: &str,
        outcome: &str,
        at: DateTime<Utc>,
    ) -> i64 {
        self.touch_full(self.team, c, author, channel, direction, outcome, at, 0)
            .await
    }

    /// An attempt: an outbound call nobody answered.
    async fn attempt(&self, c: C, author: i64, at: DateTime<Utc>) -> i64 {
        self.touch(c, author, "call", "outbound", "no_answer", at)
            .await
    }

    /// A due-item history row.
    #[expect(
        clippy::too_many_arguments,
        reason = "a history row spelled out in full"
    )]
    async fn history(
        &self,
        c: C,
        owner: i64,
        reason: &str,
        strike_or_approach: (Option<i16>, Option<&str>),
        first_due_on: NaiveDate,
        first_seen_at: DateTime<Utc>,
        settled: Option<(DateTime<Utc>, Option<i64>)>,
    ) {
        let (kind, id) = match c {
            C::Dm(id) => ("decision_maker", id),
            C::Cand(id) => ("candidate", id),
        };
        sqlx::query(
            "insert into due_item_history (team_id, contact_kind, contact_id, owner_id, reason, strike, approach, \
             first_due_on, first_seen_at, settled_at, settled_by_touch_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(self.team)
        .bind(kind)
        .bind(id)
        .bind(owner)
        .bind(reason)
        .bind(strike_or_approach.0)
        .bind(strike_or_approach.1)
        .bind(first_due_on)
        .bind(first_seen_at)
        .bind(settled.map(|s| s.0))
        .bind(settled.and_then(|s| s.1))
        .execute(&self.app.db)
        .await
        .unwrap();
    }

    /// The period `d0 .. today - 1` in New York.
    fn scope(&self) -> Scope {
        Scope::new(
            self.team,
            (self.d0, self.today - Duration::days(1)),
            New_York,
            self.today,
            30,
        )
    }

    /// Every figure of the period.
    async fn report(&self) -> TeamReport {
        TeamReport::load(&self.app.db, &self.scope(), &Figure::ALL)
            .await
            .unwrap()
    }

    async fn card(&self, user: i64) -> FigureCard {
        self.report().await.user(user)
    }
}
