//! The Team page and a scorecard in a real browser, with screenshots at 1280 and 375 px.

use thirtyfour::prelude::*;

use super::second_call::second_call_data;
use super::*;
use crate::browser::Browser;
use crate::helpers::PASSWORD;

#[tokio::test]
async fn the_team_page_draws_its_chart_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let f = fx().await;
    second_call_data(&f).await;
    browser.login(&f.app, "mia@acme.test", PASSWORD).await;
    let period = format!("from={}&to={}", f.d0, f.today - Duration::days(1));
    browser
        .driver
        .goto(f.app.url(&format!("/team?{period}")))
        .await
        .unwrap();
    let chart = browser
        .driver
        .query(By::Css("svg.chart"))
        .first()
        .await
        .unwrap();
    assert!(chart.is_displayed().await.unwrap());
    let width = chart.rect().await.unwrap().width;
    assert!(
        width > 600.0,
        "the chart uses the page's width ({width} px)"
    );
    // Tall windows: the screenshots show the whole page.
    browser
        .driver
        .set_window_rect(0, 0, 1280, 4200)
        .await
        .unwrap();
    browser.screenshot("team-1280").await;
    // On a phone: the top of the page (headline, table, chart).
    browser
        .driver
        .set_window_rect(0, 0, 375, 1800)
        .await
        .unwrap();
    browser.screenshot("team-375").await;
    browser
        .driver
        .goto(f.app.url(&format!("/team/me?{period}")))
        .await
        .unwrap();
    browser
        .driver
        .query(By::Css("svg.chart"))
        .first()
        .await
        .unwrap();
    browser.screenshot("scorecard-375").await;
    browser
        .driver
        .set_window_rect(0, 0, 1280, 900)
        .await
        .unwrap();
    browser
        .driver
        .set_window_rect(0, 0, 1280, 3600)
        .await
        .unwrap();
    browser.screenshot("scorecard-1280").await;
    browser.quit().await;
}
