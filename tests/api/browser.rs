//! Key flows in a real headless Chromium, driven through chromedriver (WebDriver): signing in,
//! Today at desktop and phone widths, logging a call with the keyboard, moving a card on the board.

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

/// How many due rows are wholly inside the window, and whether anything is wider than it or
/// than its row (a row's parts cut off or overflowing).
async fn rows_in_view(browser: &Browser) -> (i64, bool) {
    let answer = browser
        .driver
        .execute(
            r#"var rows = [].slice.call(document.querySelectorAll("[data-due-item]"));
               var inside = rows.filter(function (r) { var b = r.getBoundingClientRect();
                 return b.top >= 0 && b.bottom <= window.innerHeight; }).length;
               var doc = document.documentElement;
               var wide = doc.scrollWidth > doc.clientWidth || rows.some(function (r) {
                 return [].slice.call(r.children).some(function (c) {
                   var b = c.getBoundingClientRect(), o = r.getBoundingClientRect();
                   return b.left < o.left - 1 || b.right > o.right + 1; }); });
               return [inside, wide];"#,
            Vec::new(),
        )
        .await
        .unwrap();
    let v = answer.json();
    (v[0].as_i64().unwrap(), v[1].as_bool().unwrap())
}

#[tokio::test]
async fn today_is_a_compact_list_at_desktop_and_phone_widths() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = crate::today::seeded_recruiter().await;
    browser
        .login(
            &app,
            "recruiter001@bench.test",
            secondcall::dev::seed::PASSWORD,
        )
        .await;
    for (width, height, at_least, name) in
        [(1366, 768, 8, "today-1366"), (390, 844, 5, "today-390")]
    {
        browser
            .driver
            .set_window_rect(0, 0, width, height)
            .await
            .unwrap();
        browser.driver.goto(app.url("/today")).await.unwrap();
        browser
            .driver
            .query(By::Css("[data-due-item]"))
            .first()
            .await
            .unwrap();
        let (inside, overflowing) = rows_in_view(&browser).await;
        assert!(inside >= at_least, "{inside} rows in view at {width} px");
        assert!(
            !overflowing,
            "something is wider than the page at {width} px"
        );
        browser.screenshot(name).await;
        // an opened item fits too
        let first = browser
            .driver
            .find(By::Css("[data-due-item] [data-open-link]"))
            .await
            .unwrap();
        first.click().await.unwrap();
        browser
            .driver
            .query(By::Css("[data-due-item].open form"))
            .first()
            .await
            .unwrap();
        let (_, overflowing) = rows_in_view(&browser).await;
        assert!(!overflowing, "the opened item overflows at {width} px");
        browser.screenshot(&format!("{name}-open")).await;
    }
    browser.quit().await;
}

#[tokio::test]
async fn a_recruiter_opens_an_item_and_logs_a_call_with_the_keyboard() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let team = app.create_team("Acme", "mia@acme.test").await;
    app.every_day_working(team).await;
    app.create_user(team, "rob@acme.test", "recruiter").await;
    let rob = crate::engine::user(&app, "rob@acme.test").await;
    let kind = secondcall::domain::cadence::ContactKind::DecisionMaker;
    let dana = crate::engine::new_dm(&app, &rob, "Dana Client", "warm").await;
    crate::engine::log_call(&app, &rob, kind, dana, "no_answer", 9, None).await;
    let eve = crate::engine::new_dm(&app, &rob, "Eve Second", "warm").await;
    crate::engine::log_call(&app, &rob, kind, eve, "no_answer", 8, None).await;

    browser.login(&app, "rob@acme.test", PASSWORD).await;
    browser
        .driver
        .query(By::Css("[data-due-item]"))
        .first()
        .await
        .unwrap();
    let body = browser.driver.find(By::Tag("body")).await.unwrap();
    // j selects the first item, c opens it for a call with the outcome focused
    body.send_keys("j").await.unwrap();
    body.send_keys("c").await.unwrap();
    browser
        .driver
        .query(By::Css("[data-due-item].open select[name=outcome]"))
        .first()
        .await
        .unwrap();
    let active = browser.driver.active_element().await.unwrap();
    assert_eq!(
        active.attr("name").await.unwrap().as_deref(),
        Some("outcome")
    );
    let channel = browser
        .driver
        .find(By::Css("[data-due-item].open select[name=channel]"))
        .await
        .unwrap();
    assert_eq!(channel.value().await.unwrap().as_deref(), Some("call"));
    // the outcome by its first letter, then Tab to the notes, type, Enter
    active.send_keys("n").await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..8 {
        let name = browser
            .driver
            .execute(
                "return document.activeElement.name || document.activeElement.tagName;",
                Vec::new(),
            )
            .await
            .unwrap();
        let name = name.json().as_str().unwrap_or_default().to_string();
        if name == "notes" {
            break;
        }
        seen.push(name);
        // to whatever has the focus (send_keys on an element would focus it first)
        browser
            .driver
            .action_chain()
            .send_keys(thirtyfour::Key::Tab)
            .perform()
            .await
            .unwrap();
    }
    assert!(seen.len() < 8, "Tab went through {seen:?}");
    browser
        .driver
        .action_chain()
        .send_keys("Rang twice")
        .send_keys(thirtyfour::Key::Enter)
        .perform()
        .await
        .unwrap();
    let flash = browser
        .driver
        .query(By::Css(".flash-ok"))
        .first()
        .await
        .unwrap();
    assert!(flash.text().await.unwrap().starts_with("Logged."));
    let logged: (String, String, String) = sqlx::query_as(
        "select channel, outcome, notes from touches where decision_maker_id = $1 order by id desc limit 1",
    )
    .bind(dana)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        logged,
        ("call".into(), "no_answer".into(), "Rang twice".into())
    );
    // back on the list at the next item, opened
    let open = browser
        .driver
        .query(By::Css("[data-due-item].open"))
        .first()
        .await
        .unwrap();
    assert!(open.text().await.unwrap().contains("Eve Second"));
    browser.screenshot("today-after-log").await;

    browser
        .driver
        .goto(app.url(&format!("/contacts/decision-makers/{dana}")))
        .await
        .unwrap();
    browser
        .driver
        .query(By::Css(".timeline"))
        .first()
        .await
        .unwrap();
    browser.screenshot("contact-1280").await;
    browser
        .driver
        .set_window_rect(0, 0, 390, 844)
        .await
        .unwrap();
    browser.screenshot("contact-390").await;
    browser.quit().await;
}

#[tokio::test]
async fn a_card_moves_in_place_by_drag_and_by_keyboard_without_a_reload() {
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
    // a mark on the page that a reload would wipe
    browser
        .driver
        .execute("window.notReloaded = true;", Vec::new())
        .await
        .unwrap();
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
    let counts = browser
        .driver
        .execute(
            r#"function n(s) { return document.querySelector('[data-stage="' + s + '"] [data-count]').textContent; }
               return [window.notReloaded === true, n("screening"), n("presented")];"#,
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        counts.json(),
        &serde_json::json!([true, "0", "1"]),
        "moved in place, only the two counts changed"
    );
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

    // The keyboard moves a card too, in place: lift, one column to the right, drop.
    browser
        .driver
        .execute("window.notReloaded = true;", Vec::new())
        .await
        .unwrap();
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
    let reloaded = browser
        .driver
        .execute("return window.notReloaded === true;", Vec::new())
        .await
        .unwrap();
    assert_eq!(
        reloaded.json(),
        &serde_json::json!(true),
        "the keyboard move did not reload"
    );
    browser
        .driver
        .set_window_rect(0, 0, 390, 844)
        .await
        .unwrap();
    let overflowing = browser
        .driver
        .execute(
            r#"return [].slice.call(document.querySelectorAll("[data-card]")).some(function (c) {
                 var col = c.closest("[data-stage]").getBoundingClientRect(), b = c.getBoundingClientRect();
                 return b.left < col.left - 1 || b.right > col.right + 1 || c.scrollWidth > c.clientWidth + 1; })
               ? [].slice.call(document.querySelectorAll("[data-card]")).map(function (c) {
                   var col = c.closest("[data-stage]").getBoundingClientRect(), b = c.getBoundingClientRect();
                   return [b.left, b.right, col.left, col.right, c.scrollWidth, c.clientWidth]; })
               : false;"#,
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        overflowing.json(),
        &serde_json::json!(false),
        "cards fit their columns at 390 px"
    );
    browser.screenshot("board-390").await;
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
