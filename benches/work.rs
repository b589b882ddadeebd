//! The working pattern of a team, as a load: each of N recruiters (one connection each) loads
//! Today, logs a touch on an item of it, follows the answer back to Today, logs again, and so on.
//! Run by `scripts/bench_work.sh` (which seeds the team and starts the server); alone:
//!
//! ```sh
//! BASE=http://127.0.0.1:8080 USERS=64 DURATION=20 cargo bench --bench work
//! ```
//!
//! Each recruiter signs in from its own loopback address (127.0.0.x), so the per-address login
//! limit sees 64 clients, as it would in an office. Prints requests per second, p50 and p99 per
//! request type, errors, and how many Today loads came from the page cache (the `x-page-cache`
//! header).

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

/// What one recruiter measured.
#[derive(Default)]
struct Tally {
    today: Vec<Duration>,
    touch: Vec<Duration>,
    kept: usize,
    errors: Vec<String>,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::main]
async fn main() {
    let base = env_or("BASE", "http://127.0.0.1:8080");
    let users: u8 = env_or("USERS", "64")
        .parse()
        .expect("USERS is a number up to 250");
    let secs: u64 = env_or("DURATION", "20")
        .parse()
        .expect("DURATION is seconds");
    let password = env_or("PASSWORD", "secondcall-bench");
    let next_step = env_or("NEXT_STEP", "2099-01-01");
    let mut clients = Vec::new();
    for n in 1..=users {
        let email = format!("recruiter{n:03}@bench.test");
        let client = sign_in(&base, &email, &password, n).await;
        clients.push(client);
    }
    eprintln!("{users} recruiters signed in; working for {secs} s");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| {
            let base = base.clone();
            let next_step = next_step.clone();
            tokio::spawn(async move { work(client, base, i, deadline, next_step).await })
        })
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        let t = task.await.expect("a recruiter's task does not panic");
        all.today.extend(t.today);
        all.touch.extend(t.touch);
        all.kept += t.kept;
        all.errors.extend(t.errors);
    }
    report(&mut all, started.elapsed());
}

/// A client with its own cookie jar and loopback address, signed in.
async fn sign_in(base: &str, email: &str, password: &str, n: u8) -> Client {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 1, n)))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a reqwest client builds");
    let resp = client
        .post(format!("{base}/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("the server answers the login");
    let to = location(&resp);
    assert!(
        resp.status() == StatusCode::SEE_OTHER && to.starts_with("/today"),
        "{email} could not sign in: {} {to}",
        resp.status()
    );
    client
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// One recruiter's loop: Today, a touch on its first item (or the opened one), Today again.
async fn work(client: Client, base: String, who: usize, deadline: Instant, next: String) -> Tally {
    let mut tally = Tally::default();
    let mut path = "/today".to_string();
    let outcomes = ["no_answer", "voicemail_left", "connected"];
    let mut round = who;
    while Instant::now() < deadline {
        let t0 = Instant::now();
        let page = match client.get(format!("{base}{path}")).send().await {
            Ok(resp) if resp.status() == StatusCode::OK => {
                let kept = resp
                    .headers()
                    .get("x-page-cache")
                    .is_some_and(|v| v == "hit");
                let body = resp.text().await.unwrap_or_default();
                tally.today.push(t0.elapsed());
                tally.kept += usize::from(kept);
                body
            }
            Ok(resp) => {
                tally.errors.push(format!("GET {path}: {}", resp.status()));
                path = "/today".into();
                continue;
            }
            Err(e) => {
                tally.errors.push(format!("GET {path}: {e}"));
                path = "/today".into();
                continue;
            }
        };
        // A list with no item open: the recruiter opens the first one (a Today load too).
        let Some((contact, back)) = opened_item(&page) else {
            match first_open_link(&page) {
                Some(link) => path = link,
                None => {
                    tally.errors.push(format!("{path}: no item to open"));
                    break;
                }
            }
            continue;
        };
        round += 1;
        let outcome = outcomes[round % outcomes.len()];
        let mut form = vec![
            ("channel", "call"),
            ("direction", "outbound"),
            ("outcome", outcome),
            ("notes", "bench"),
            ("return_to", back.as_str()),
        ];
        if outcome == "connected" {
            form.push(("next_step_on", next.as_str()));
        }
        let t1 = Instant::now();
        match client
            .post(format!("{base}{contact}/touches"))
            .form(&form)
            .send()
            .await
        {
            Ok(resp) if resp.status() == StatusCode::SEE_OTHER => {
                tally.touch.push(t1.elapsed());
                path = location(&resp);
                path.truncate(path.find('#').unwrap_or(path.len()));
            }
            Ok(resp) => {
                tally
                    .errors
                    .push(format!("POST {contact}: {}", resp.status()));
                path = "/today".into();
            }
            Err(e) => {
                tally.errors.push(format!("POST {contact}: {e}"));
                path = "/today".into();
            }
        }
    }
    tally
}

/// The opened item's contact path and the `return_to` of its log form.
fn opened_item(page: &str) -> Option<(String, String)> {
    let at = page.find("class=\"due-row open")?;
    let row = &page[at..];
    let contact = attr_after(row, "href=\"/contacts/")?;
    let form = row.find("class=\"log-form\"")?;
    let back = attr_after(&row[form..], "name=\"return_to\" value=\"/today")?;
    Some((format!("/contacts/{contact}"), format!("/today{back}")))
}

/// The link that opens the first item of the list.
fn first_open_link(page: &str) -> Option<String> {
    let at = page.find("data-due-item")?;
    let link = attr_after(&page[at..], "href=\"/today?open=")?;
    let link = format!("/today?open={link}");
    Some(link[..link.find('#').unwrap_or(link.len())].to_string())
}

/// The rest of the attribute value that starts with `prefix`, unescaped (`&` only).
fn attr_after(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    let len = html[start..].find('"')?;
    Some(
        html[start..start + len]
            .replace("&#38;", "&")
            .replace("&amp;", "&"),
    )
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

#[expect(clippy::print_stdout, reason = "a benchmark's report goes to stdout")]
fn report(all: &mut Tally, elapsed: Duration) {
    all.today.sort();
    all.touch.sort();
    let secs = elapsed.as_secs_f64();
    for (label, list) in [("GET /today", &all.today), ("POST touch", &all.touch)] {
        println!(
            "{label:<12} {:>7} requests  {:>8.1}/s   p50 {:>7.1} ms   p99 {:>7.1} ms   max {:>7.1} ms",
            list.len(),
            list.len() as f64 / secs,
            percentile(list, 0.50),
            percentile(list, 0.99),
            percentile(list, 1.0),
        );
    }
    let share = if all.today.is_empty() {
        0.0
    } else {
        100.0 * all.kept as f64 / all.today.len() as f64
    };
    println!(
        "Today loads from the page cache: {} of {} ({share:.1}%)",
        all.kept,
        all.today.len()
    );
    println!("errors: {}", all.errors.len());
    for e in all.errors.iter().take(10) {
        println!("  {e}");
    }
}
