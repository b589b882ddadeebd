//! Key flows in a real headless Chromium, driven through chromedriver (WebDriver).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::helpers::{PASSWORD, TestApp};

/// A chromedriver process and a browser session; both end when this is dropped or quit.
pub struct Browser {
    pub driver: WebDriver,
    chromedriver: Child,
    profile: std::path::PathBuf,
}

impl Browser {
    /// Starts Chromium, or returns None (with a note) when it is not installed and
    /// `REQUIRE_BROWSER` is unset; CI sets it, so there the browser tests always run.
    pub async fn start() -> Option<Self> {
        let installed = std::path::Path::new("/usr/bin/chromium").exists()
            && std::path::Path::new("/usr/bin/chromedriver").exists();
        if !installed {
            assert!(
                std::env::var_os("REQUIRE_BROWSER").is_none(),
                "REQUIRE_BROWSER is set but chromium/chromedriver are missing"
            );
            eprintln!(
                "skipping the browser test: apt-get install chromium chromium-driver to run it"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let chromedriver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = std::env::temp_dir().join(format!(
            "secondcall-chrome-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium").unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.display()))
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let driver = loop {
            match WebDriver::new(&url, caps.clone()).await {
                Ok(d) => break d,
                Err(e) if Instant::now() > deadline => panic!("chromedriver did not answer: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Some(Self {
            driver,
            chromedriver,
            profile,
        })
    }

    /// Ends the browser session and chromedriver.
    pub async fn quit(mut self) {
        let driver = self.driver.clone();
        driver.quit().await.ok();
        self.chromedriver.kill().ok();
        self.chromedriver.wait().ok();
        std::fs::remove_dir_all(&self.profile).ok();
    }

    /// Fills the login form, submits it and waits for the page that answers.
    pub async fn login(&self, app: &TestApp, email: &str, password: &str) {
        self.driver.goto(app.url("/login")).await.unwrap();
        self.driver
            .find(By::Id("f-email"))
            .await
            .unwrap()
            .send_keys(email)
            .await
            .unwrap();
        self.driver
            .find(By::Id("f-password"))
            .await
            .unwrap()
            .send_keys(password)
            .await
            .unwrap();
        let submit = self
            .driver
            .find(By::Css("form[action='/login'] button[type=submit]"))
            .await
            .unwrap();
        submit.click().await.unwrap();
        // Wait for the answer (a new page, even when it is the login page again): a `goto`
        // issued before it arrives would cancel the POST and its session cookie.
        submit
            .wait_until()
            .wait(Duration::from_secs(60), Duration::from_millis(100))
            .stale()
            .await
            .unwrap();
    }

    /// Saves a PNG under target/screenshots (looked at by people, not asserted on).
    pub async fn screenshot(&self, name: &str) {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).ok();
        self.driver
            .screenshot(&dir.join(format!("{name}.png")))
            .await
            .ok();
    }
}

#[tokio::test]
async fn a_user_logs_in_and_out_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.create_user(team, "rob@acme.test", "recruiter").await;

    browser.login(&app, "rob@acme.test", "wrong password").await;
    let alert = browser
        .driver
        .query(By::Css(".flash-error"))
        .first()
        .await
        .unwrap();
    assert!(alert.text().await.unwrap().contains("do not match"));

    browser.login(&app, "rob@acme.test", PASSWORD).await;
    let heading = browser.driver.query(By::Tag("h1")).first().await.unwrap();
    assert!(heading.text().await.unwrap().starts_with("Today"));
    assert!(
        browser
            .driver
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/today")
    );
    browser.screenshot("today").await;

    browser
        .driver
        .find(By::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .driver
        .query(By::Id("f-email"))
        .first()
        .await
        .unwrap();
    browser.driver.goto(app.url("/today")).await.unwrap();
    assert!(
        browser
            .driver
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/login")
    );
    browser.quit().await;
}

#[tokio::test]
async fn a_recruiter_logs_a_call_from_today_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let rob = crate::engine::user(&app, "rob@acme.test").await;
    let dm = crate::engine::new_dm(&app, &rob, "Dana Client", "warm").await;
    let kind = secondcall::domain::cadence::ContactKind::DecisionMaker;
    crate::engine::log_call(&app, &rob, kind, dm, "no_answer", 9, None).await;
    crate::engine::new_dm(&app, &rob, "Fresh Prospect", "hot").await;

    browser.login(&app, "rob@acme.test", PASSWORD).await;
    browser
        .driver
        .query(By::Css("[data-due-item]"))
        .first()
        .await
        .unwrap();
    browser.screenshot("today-1280").await;
    browser
        .driver
        .set_window_rect(0, 0, 375, 900)
        .await
        .unwrap();
    browser.screenshot("today-375").await;
    browser
        .driver
        .set_window_rect(0, 0, 1280, 900)
        .await
        .unwrap();

    // Open the first item (its forms are in the page only once it is open), log from it.
    browser
        .driver
        .find(By::Css("[data-due-item] [data-open-link]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let item = browser
        .driver
        .query(By::Css("[data-due-item].open"))
        .first()
        .await
        .unwrap();
    let outcome = item.find(By::Css("select[name=outcome]")).await.unwrap();
    outcome
        .find(By::Css("option[value=voicemail_left]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    item.find(By::Css("[data-log-button]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let flash = browser
        .driver
        .query(By::Css(".flash-ok"))
        .first()
        .await
        .unwrap();
    assert!(flash.text().await.unwrap().starts_with("Logged."));
    let logged: i64 =
        sqlx::query_scalar("select count(*) from touches where outcome = 'voicemail_left'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(logged, 1);

    browser
        .driver
        .goto(app.url(&format!("/contacts/decision-makers/{dm}")))
        .await
        .unwrap();
    browser
        .driver
        .query(By::Css(".timeline"))
        .first()
        .await
        .unwrap();
    browser.screenshot("contact-1280").await;
    browser.quit().await;
}

#[tokio::test]
async fn a_card_dragged_from_screening_to_presented_stays_there_after_a_reload() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let mia = crate::engine::user(&app, "mia@acme.test").await;
    let stages = [
        secondcall::domain::pipeline::Stage::Screening,
        secondcall::domain::pipeline::Stage::Interviewing,
    ];
    let p = crate::board::pipeline(&app, &mia, "Initech", &stages).await;
    browser.login(&app, "mia@acme.test", PASSWORD).await;
    browser.driver.goto(app.url("/board")).await.unwrap();
    let card = format!("[data-card='{}']", p.apps[0]);
    let handle = browser
        .driver
        .query(By::Css(format!(
            "[data-stage=screening] {card} [data-handle]"
        )))
        .first()
        .await
        .unwrap();
    let target = browser
        .driver
        .find(By::Css("[data-stage=presented]"))
        .await
        .unwrap();
    browser.screenshot("board-1280").await;
    browser
        .driver
        .action_chain()
        .click_and_hold_element(&handle)
        .move_by_offset(20, 10)
        .move_to_element_center(&target)
        .release()
        .perform()
        .await
        .unwrap();
    browser
        .driver
        .query(By::Css(format!("[data-stage=presented] {card}")))
        .first()
        .await
        .unwrap();
    browser.driver.refresh().await.unwrap();
    browser
        .driver
        .query(By::Css(format!("[data-stage=presented] {card}")))
        .first()
        .await
        .unwrap();
    let stage: String = sqlx::query_scalar("select stage from applications where id = $1")
        .bind(p.apps[0])
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stage, "presented");

    // The keyboard moves a card too: lift, one column to the right, drop.
    let other = format!("[data-card='{}']", p.apps[1]);
    let handle = browser
        .driver
        .find(By::Css(format!("{other} [data-handle]")))
        .await
        .unwrap();
    handle.focus().await.unwrap();
    handle.send_keys(" ").await.unwrap();
    handle.send_keys(thirtyfour::Key::Right).await.unwrap();
    handle.send_keys(thirtyfour::Key::Enter).await.unwrap();
    browser
        .driver
        .query(By::Css(format!("[data-stage=offer] {other}")))
        .first()
        .await
        .unwrap();
    browser.quit().await;
}

#[tokio::test]
async fn a_manager_imports_a_linkedin_file_through_the_preview() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    app.create_team("Acme", "mia@acme.test").await;
    let file = std::env::temp_dir().join(format!(
        "secondcall-import-{}.csv",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&file, crate::import::LINKEDIN).unwrap();

    browser.login(&app, "mia@acme.test", PASSWORD).await;
    browser
        .driver
        .goto(app.url("/contacts/import?kind=decision-makers"))
        .await
        .unwrap();
    browser
        .driver
        .find(By::Id("f-file"))
        .await
        .unwrap()
        .send_keys(file.display().to_string())
        .await
        .unwrap();
    browser.screenshot("import-form").await;
    browser
        .driver
        .find(By::Id("preview-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let confirm = browser
        .driver
        .query(By::Id("import-button"))
        .first()
        .await
        .unwrap();
    assert_eq!(confirm.text().await.unwrap(), "Import 4 contacts");
    let left = browser.driver.find(By::Id("left-out")).await.unwrap();
    assert!(left.text().await.unwrap().contains("duplicate of row 2"));
    browser.screenshot("import-preview").await;
    confirm.click().await.unwrap();
    let result = browser
        .driver
        .query(By::Id("import-result"))
        .first()
        .await
        .unwrap();
    assert!(result.text().await.unwrap().contains("4 contacts added"));
    browser.screenshot("import-result").await;
    browser.quit().await;
    std::fs::remove_file(&file).ok();
}
