//! Rendered Today pages kept in memory, so a recruiter who reloads Today between calls costs two
//! index lookups (the session and the user) instead of the page's nine queries and its rendering.
//!
//! A page is served again only while everything it was rendered from is unchanged: the user's
//! list stamp (moved on by the database itself, see the migration `list_stamps`, at every change to
//! a due item, a touch, a contact, a company or the team's settings that the page could show), the
//! user's local date, time zone, name and role. The stamp is read with the signed-in user on every
//! request, so a page is never stale, whichever instance wrote the change; nothing here needs to be
//! shared between instances or survive a restart. Pages with a flash message are never kept.
//! A coverer's page also shows the lists of the teammates they cover: its fingerprint holds
//! those teammates' list stamps too (read with the cover on each request), so a touch on an
//! absent teammate's contact shows at once on the coverer's page.

use std::io::Write;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use flate2::Compression;
use flate2::write::GzEncoder;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::accounts::Role;
use crate::db::users::User;

/// Which page of whose list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub user_id: i64,
    pub reason: Option<String>,
    pub page: i64,
}

/// What a kept page was rendered from; it is served only if this is still what the request sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    list_stamp: i64,
    today: NaiveDate,
    time_zone: chrono_tz::Tz,
    name: String,
    role: Role,
    /// A coverer's page shows the lists of the teammates they cover: their ids, list stamps and
    /// names (see [`Fingerprint::covering`]).
    covered: Vec<(i64, i64, String)>,
}

impl Fingerprint {
    /// The fingerprint of a page rendered now for `user`, whose local date is `today`.
    pub fn of(user: &User, today: NaiveDate) -> Self {
        Self {
            list_stamp: user.list_stamp,
            today,
            time_zone: user.time_zone,
            name: user.name.clone(),
            role: user.role,
            covered: Vec::new(),
        }
    }

    /// The same, for a coverer: a change to any covered list (its stamp), a teammate who starts
    /// or stops being covered, or a renamed one is a new page.
    #[must_use]
    pub fn covering(mut self, covered: &[crate::db::away::Covered]) -> Self {
        self.covered = covered
            .iter()
            .map(|c| (c.user_id, c.list_stamp, c.name.clone()))
            .collect();
        self
    }
}

/// A rendered page, gzipped once when kept, and what it was rendered from.
#[derive(Debug)]
pub struct Kept {
    fingerprint: Fingerprint,
    body: Bytes,
    gzip: Bytes,
}

impl Kept {
    /// The page as an answer: the gzipped copy when the client takes gzip (the compression
    /// layer leaves a response that already has a `Content-Encoding` alone).
    pub fn response(&self, gzip: bool) -> Response {
        if gzip {
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CONTENT_ENCODING, "gzip"),
                    (header::VARY, "accept-encoding"),
                ],
                self.gzip.clone(),
            )
                .into_response()
        } else {
            Html(self.body.clone()).into_response()
        }
    }
}

/// Whether `Accept-Encoding` takes gzip (listed, and not with `q=0`).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn gzipped(body: &[u8]) -> Bytes {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 6), Compression::default());
    // Writing to a Vec cannot fail.
    if encoder.write_all(body).is_err() {
        return Bytes::new();
    }
    encoder.finish().map(Bytes::from).unwrap_or_default()
}

/// Weighs a page by its size, so the cache's capacity is in bytes.
#[derive(Debug, Clone, Copy)]
struct BySize;

impl Weighter<PageKey, Arc<Kept>> for BySize {
    fn weight(&self, key: &PageKey, page: &Arc<Kept>) -> u64 {
        let bytes =
            page.body.len() + page.gzip.len() + key.reason.as_ref().map_or(0, String::len) + 128;
        u64::try_from(bytes).unwrap_or(u64::MAX)
    }
}

/// The kept pages of this instance; `None` when the cache is turned off (`PAGE_CACHE_MB=0`).
#[derive(Clone)]
pub struct PageCache {
    pages: Option<Arc<Cache<PageKey, Arc<Kept>, BySize>>>,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("pages", &self.pages.as_ref().map(|p| p.len()))
            .finish()
    }
}

impl PageCache {
    /// A cache holding up to `megabytes` of pages (the least used go first); 0 keeps none.
    pub fn new(megabytes: u64) -> Self {
        let capacity = megabytes.saturating_mul(1024 * 1024);
        Self {
            // A Today page is 100-300 KB: a guess of the count only sizes the first allocation.
            pages: (capacity > 0).then(|| {
                let estimated = usize::try_from(capacity / (200 * 1024)).unwrap_or(64);
                Arc::new(Cache::with_weighter(estimated.max(16), capacity, BySize))
            }),
        }
    }

    /// The kept page for `key`, if it was rendered from exactly `fingerprint`.
    pub fn get(&self, key: &PageKey, fingerprint: &Fingerprint) -> Option<Arc<Kept>> {
        let kept = self.pages.as_ref()?.get(key)?;
        (kept.fingerprint == *fingerprint).then_some(kept)
    }

    /// Keeps a rendered body (replacing an older one of the same page).
    pub fn put(&self, key: PageKey, fingerprint: Fingerprint, body: Bytes) {
        if let Some(pages) = &self.pages {
            let gzip = gzipped(&body);
            pages.insert(
                key,
                Arc::new(Kept {
                    fingerprint,
                    body,
                    gzip,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(stamp: i64) -> User {
        User {
            id: 7,
            team_id: 1,
            email: "rob@acme.test".into(),
            name: "Rob".into(),
            role: Role::Recruiter,
            time_zone: chrono_tz::America::New_York,
            must_change_password: false,
            active: true,
            session_epoch: 0,
            list_stamp: stamp,
        }
    }

    fn key() -> PageKey {
        PageKey {
            user_id: 7,
            reason: None,
            page: 1,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    #[test]
    fn a_kept_page_is_served_while_its_fingerprint_holds() {
        let cache = PageCache::new(1);
        let f = Fingerprint::of(&user(3), day(23));
        cache.put(key(), f.clone(), Bytes::from_static(b"page"));
        let kept = cache.get(&key(), &f).map(|k| k.body.clone());
        assert_eq!(kept, Some(Bytes::from_static(b"page")));
    }

    #[test]
    fn the_gzipped_copy_unzips_to_the_page() {
        let cache = PageCache::new(1);
        let f = Fingerprint::of(&user(3), day(23));
        let page = "<p>Dana Client</p>".repeat(200);
        cache.put(key(), f.clone(), Bytes::from(page.clone()));
        let kept = cache
            .get(&key(), &f)
            .map(|k| k.gzip.clone())
            .unwrap_or_default();
        assert!(kept.len() < page.len() / 4);
        let mut unzipped = String::new();
        let read = std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&kept[..]),
            &mut unzipped,
        );
        assert!(read.is_ok());
        assert_eq!(unzipped, page);
    }

    fn accept(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        if let Ok(v) = value.parse() {
            headers.insert(header::ACCEPT_ENCODING, v);
        }
        accepts_gzip(&headers)
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_take_it() {
        assert!(accept("gzip, deflate, br, zstd"));
        assert!(accept("br;q=1.0, GZIP;q=0.5"));
        assert!(!accept(""));
        assert!(!accept("br, zstd"));
        assert!(!accept("gzip;q=0, br"));
        assert!(!accept("x-gzip2"));
    }

    #[test]
    fn a_new_stamp_a_new_day_or_a_new_name_misses() {
        let cache = PageCache::new(1);
        cache.put(
            key(),
            Fingerprint::of(&user(3), day(23)),
            Bytes::from_static(b"page"),
        );
        assert!(
            cache
                .get(&key(), &Fingerprint::of(&user(4), day(23)))
                .is_none()
        );
        assert!(
            cache
                .get(&key(), &Fingerprint::of(&user(3), day(24)))
                .is_none()
        );
        let mut renamed = user(3);
        renamed.name = "Robert".into();
        assert!(
            cache
                .get(&key(), &Fingerprint::of(&renamed, day(23)))
                .is_none()
        );
        let other_page = PageKey { page: 2, ..key() };
        assert!(
            cache
                .get(&other_page, &Fingerprint::of(&user(3), day(23)))
                .is_none()
        );
    }

    #[test]
    fn a_cache_of_zero_megabytes_keeps_nothing() {
        let cache = PageCache::new(0);
        let f = Fingerprint::of(&user(3), day(23));
        cache.put(key(), f.clone(), Bytes::from_static(b"page"));
        assert!(cache.get(&key(), &f).is_none());
    }
}
