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
//! header). The first `WARMUP` seconds (default 2) are not measured: the server's pools connect
//! and its connections plan their statements then, once after a start; their requests are
//! counted apart. It also prints the quietest 100 ms of the run (the fewest requests finished, against
//! the median window): a stall that holds every recruiter shows there, a uniformly slow machine
//! does not. With `TIMELINE=file` it writes every request to `file` as CSV (`start_unix_ms`,
//! `ms`, `kind`), to lay beside PostgreSQL's log.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

/// What one recruiter measured.
#[derive(Default)]
struct Tally {
    today: Vec<Duration>,
    touch: Vec<Duration>,
    /// Every measured request: when it started (since the run began), how long it took, and
    /// whether it was a Today load.
    timeline: Vec<(Duration, Duration, bool)>,
    /// Requests started in the warm-up, not measured.
    warmup: usize,
    kept: usize,
    errors: Vec<String>,
}

impl Tally {
    /// Records a request that started at `t` and has just answered, unless it started in the
    /// warm-up (before `started`); whether it was measured.
    fn measure(&mut self, started: Instant, t: Instant, today: bool) -> bool {
        let took = t.elapsed();
        let Some(at) = t.checked_duration_since(started) else {
            self.warmup += 1;
            return false;
        };
        if today {
            self.today.push(took);
        } else {
            self.touch.push(took);
        }
        self.timeline.push((at, took, today));
        true
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

// One thread: the load shares the machine's cores with the server and PostgreSQL, and a second
// worker would only add wake-ups between the two (the answers are short to handle: about a
// tenth of one core at the rates measured here).
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base = env_or("BASE", "http://127.0.0.1:8080");
    let users: u8 = env_or("USERS", "64")
        .parse()
        .expect("USERS is a number up to 250");
    let secs: u64 = env_or("DURATION", "20")
        .parse()
        .expect("DURATION is seconds");
    let warmup: u64 = env_or("WARMUP", "2").parse().expect("WARMUP is seconds");
    let password = env_or("PASSWORD", "secondcall-bench");
    let next_step = env_or("NEXT_STEP", "2099-01-01");
    let mut clients = Vec::new();
    for n in 1..=users {
        let email = format!("recruiter{n:03}@bench.test");
        let client = sign_in(&base, &email, &password, n).await;
        clients.push(client);
    }
    eprintln!("{users} recruiters signed in; warming up for {warmup} s, then working for {secs} s");
    let warm = Instant::now();
    let started = warm + Duration::from_secs(warmup);
    let started_unix = (std::time::SystemTime::now() + Duration::from_secs(warmup))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let deadline = started + Duration::from_secs(secs);
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| {
            let base = base.clone();
            let next_step = next_step.clone();
            tokio::spawn(async move { work(client, base, i, (started, deadline), next_step).await })
        })
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        let t = task.await.expect("a recruiter's task does not panic");
        all.today.extend(t.today);
        all.touch.extend(t.touch);
        all.kept += t.kept;
        all.errors.extend(t.errors);
        all.timeline.extend(t.timeline);
        all.warmup += t.warmup;
    }
    report(&mut all, started.elapsed(), Duration::from_secs(secs));
    if let Ok(file) = std::env::var("TIMELINE") {
        write_timeline(&file, started_unix, &mut all.timeline);
    }
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
async fn work(
    client: Client,
    base: String,
    who: usize,
    (started, deadline): (Instant, Instant),
    next: String,
) -> Tally {
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
                if tally.measure(started, t0, true) {
                    tally.kept += usize::from(kept);
                }
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
                tally.measure(started, t1, false);
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
fn report(all: &mut Tally, elapsed: Duration, measured: Duration) {
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
    quietest(&all.timeline, measured);
    println!("warm-up, not measured: {} requests", all.warmup);
    println!("errors: {}", all.errors.len());
    for e in all.errors.iter().take(10) {
        println!("  {e}");
    }
}

/// The 100 ms window of the measured seconds in which the fewest requests finished, against the
/// median window, and how many requests took over 100 ms.
#[expect(clippy::print_stdout, reason = "a benchmark's report goes to stdout")]
fn quietest(timeline: &[(Duration, Duration, bool)], measured: Duration) {
    const WINDOW_MS: u128 = 100;
    let windows = usize::try_from(measured.as_millis() / WINDOW_MS).unwrap_or(0);
    if windows < 3 {
        return;
    }
    let mut finished = vec![0usize; windows];
    for (start, took, _) in timeline {
        let at = usize::try_from((*start + *took).as_millis() / WINDOW_MS).unwrap_or(usize::MAX);
        if let Some(n) = finished.get_mut(at) {
            *n += 1;
        }
    }
    // the first window misses the answers to requests started in the warm-up, and the last ends
    // at the deadline, where recruiters stop starting requests
    let inner = &finished[1..windows - 1];
    let (at, fewest) = inner
        .iter()
        .enumerate()
        .min_by_key(|(_, n)| **n)
        .map(|(i, n)| (i + 1, *n))
        .unwrap_or((0, 0));
    let mut sorted = inner.to_vec();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    let slow = timeline
        .iter()
        .filter(|(_, took, _)| *took > Duration::from_millis(100))
        .count();
    println!(
        "quietest 100 ms: {fewest} requests finished at {:.1} s (median window {median}); {slow} requests over 100 ms",
        at as f64 * WINDOW_MS as f64 / 1000.0
    );
}

/// Every request as CSV: when it started (Unix milliseconds), how long it took, what it was.
fn write_timeline(file: &str, started: Duration, timeline: &mut [(Duration, Duration, bool)]) {
    timeline.sort();
    let mut csv = String::from("start_unix_ms,ms,kind\n");
    for (start, took, today) in timeline.iter() {
        csv.push_str(&format!(
            "{:.1},{:.1},{}\n",
            (started + *start).as_secs_f64() * 1000.0,
            took.as_secs_f64() * 1000.0,
            if *today { "today" } else { "touch" }
        ));
    }
    if let Err(e) = std::fs::write(file, csv) {
        eprintln!("TIMELINE={file}: {e}");
    }
}
