//! A rerunnable timing of the Team page on a big synthetic team (ignored by default): seed a
//! database with `tests/bench/reports_seed.sql`, then
//! `REPORTS_BENCH_URL=postgres://… cargo nextest run --run-ignored only reports_timing --no-capture`.

use std::time::{Duration as StdDuration, Instant};

use reqwest::StatusCode;
use sqlx::postgres::PgPoolOptions;

use super::*;

async fn time_page(app: &TestApp, path: &str) -> StdDuration {
    let mut runs = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let resp = app.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let _ = resp.text().await.unwrap();
        runs.push(started.elapsed());
    }
    runs.sort();
    runs[1]
}

#[tokio::test]
#[ignore = "needs REPORTS_BENCH_URL: a database seeded with tests/bench/reports_seed.sql"]
async fn reports_timing() {
    let Ok(url) = std::env::var("REPORTS_BENCH_URL") else {
        return;
    };
    let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
    let db = PgPoolOptions::new()
        .max_connections(16)
        .connect_with(secondcall::db::tune(options))
        .await
        .unwrap();
    let team: i64 = sqlx::query_scalar("select max(id) from teams where name = 'Bench'")
        .fetch_one(&db)
        .await
        .unwrap();
    let app = TestApp::spawn_on(db.clone()).await;
    let email = "bench-manager@bench.test";
    let exists: bool = sqlx::query_scalar("select exists(select 1 from users where email = $1)")
        .bind(email)
        .fetch_one(&db)
        .await
        .unwrap();
    if !exists {
        app.create_user(team, email, "manager").await;
    }
    app.login(email).await;
    let today = secondcall::engine::today_in(New_York);
    let (from, to) = secondcall::web::team::period::default_period(today);
    let year = format!("/team?from={}&to={to}", to - Duration::days(364));
    for (label, path) in [
        ("4 weeks", format!("/team?from={from}&to={to}")),
        ("1 year", year),
    ] {
        let page = time_page(&app, &path).await;
        eprintln!("Team page, {label}: {page:?} (median of 3)");
    }
    for (label, span) in [
        ("4 weeks", (from, to)),
        ("1 year", (to - Duration::days(364), to)),
    ] {
        let scope = Scope::new(team, span, New_York, today, 30);
        for f in Figure::ALL {
            let started = Instant::now();
            Report::load(&db, &scope, &[f]).await.unwrap();
            eprintln!("  {label} {:>14}: {:?}", f.as_str(), started.elapsed());
        }
    }
}
