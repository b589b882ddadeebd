//! The follow-up engine's three callers in one place: the nightly rebuild of a user's list, the
//! refresh of one contact after a write, and the list computed for any date. All of them gather
//! facts with `db::facts` and call the same pure `cadence::decide`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use futures_util::{StreamExt, TryStreamExt};
use sqlx::{PgConnection, PgPool};

use crate::db::facts::{self, OwnedFacts, Scope};
use crate::db::settings::{self, TeamSettings};
use crate::db::touches::{self, Touch, TouchWrite};
use crate::db::users::{self, User};
use crate::domain::cadence::{self, ContactKind, DueItem, Reason};
use crate::due;
use crate::due::store::Decided;

/// A user's "today": the calendar date in their time zone at `now` (the app's `Clock`).
pub fn today_at(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

fn decide_all(
    all: Vec<OwnedFacts>,
    settings: &TeamSettings,
    tz: Tz,
    date: NaiveDate,
) -> Vec<Decided> {
    all.into_iter()
        .map(|f| Decided {
            kind: f.kind,
            contact_id: f.id,
            owner_id: f.owner_id,
            temperature: f.facts.temperature,
            item: cadence::decide(&f.facts, &settings.cadence, tz, date),
        })
        .collect()
}

/// Every contact of a user decided for `date` from the facts known up to its end.
pub async fn compute_user(
    conn: &mut PgConnection,
    user: &User,
    settings: &TeamSettings,
    date: NaiveDate,
) -> sqlx::Result<Vec<Decided>> {
    let tz = user.tz();
    let until = facts::end_of_day(date, tz);
    facts::without_jit(conn).await?;
    let mut all = facts::gather(
        conn,
        user.team_id,
        ContactKind::DecisionMaker,
        Scope::Owner(user.id),
        until,
    )
    .await?;
    all.extend(
        facts::gather(
            conn,
            user.team_id,
            ContactKind::Candidate,
            Scope::Owner(user.id),
            until,
        )
        .await?,
    );
    Ok(decide_all(all, settings, tz, date))
}

/// Counts of one rebuilt list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub users: usize,
    pub contacts: usize,
    pub items: usize,
}

/// Rebuilds one user's list for `as_of` (default: their today) in one transaction: nobody sees a
/// half-built list, and a failure leaves the old one whole. The history is only written for the
/// user's real today, never for a replayed date.
pub async fn rebuild_user(
    db: &PgPool,
    user: &User,
    settings: &TeamSettings,
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> sqlx::Result<Counts> {
    let mut tx = db.begin().await?;
    crate::db::allow_long_statements(&mut tx).await?;
    let counts = rebuild_user_in(&mut tx, user, settings, as_of, now).await?;
    tx.commit().await?;
    Ok(counts)
}

/// The body of [`rebuild_user`], inside the caller's transaction.
pub async fn rebuild_user_in(
    conn: &mut PgConnection,
    user: &User,
    settings: &TeamSettings,
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> sqlx::Result<Counts> {
    due::store::lock_user_list(conn, user.id).await?;
    let today = today_at(now, user.tz());
    let date = as_of.unwrap_or(today);
    let decided = compute_user(conn, user, settings, date).await?;
    let items = due::store::replace_user_list(conn, user.team_id, user.id, date, &decided).await?;
    if date == today {
        due::history::record_history(conn, user.team_id, &decided, None).await?;
    }
    Ok(Counts {
        users: 1,
        contacts: decided.len(),
        items,
    })
}

/// How one pass over a team's users goes: the instant whose dates it builds for, which users,
/// when to stop, and (tests only) a pause after each user.
#[derive(Debug, Clone, Default)]
pub struct Pass<'a> {
    /// The instant each user's today is taken from (default: the system time).
    pub now: Option<DateTime<Utc>>,
    /// Only these users (default: every active user of the team).
    pub only: Option<&'a [i64]>,
    /// Stops between users when cancelled (server shutdown), never inside one's transaction.
    pub stop: Option<&'a tokio_util::sync::CancellationToken>,
    /// A pause after each user's commit, so a test can kill the process half-way.
    pub pause: Option<std::time::Duration>,
    /// One user after the other: after a handover the contacts just moved between the users,
    /// and two rebuilds storing each other's former items at once would deadlock.
    pub one_by_one: bool,
}

/// Rebuilds the given users (or all active users) of a team under an open run, one transaction
/// each. The caller holds the team's rebuild lock (`due::rebuilds::TeamLock`).
pub async fn rebuild_team_users(
    db: &PgPool,
    team_id: i64,
    run: i64,
    as_of: Option<NaiveDate>,
    pass: Pass<'_>,
) -> anyhow::Result<Counts> {
    let settings = settings::load(db, team_id).await?;
    let members: Vec<User> = users::list_for_team(db, team_id)
        .await?
        .into_iter()
        // named users are rebuilt active or not: a deactivated user whose contacts moved away
        // ends with an empty list
        .filter(|u| pass.only.map_or(u.active, |ids| ids.contains(&u.id)))
        .collect();
    let now = pass.now.unwrap_or_else(Utc::now);
    let (stop, pause) = (pass.stop.cloned(), pass.pause);
    // Owned values in each future, so the stream is Send for any caller (axum handlers too).
    let mut rebuilds = futures_util::stream::iter(members)
        .map(|user| {
            let (db, settings, stop) = (db.clone(), settings.clone(), stop.clone());
            async move {
                if stop.as_ref().is_some_and(|s| s.is_cancelled()) {
                    return anyhow::Ok(None);
                }
                let c = rebuild_user(&db, &user, &settings, as_of, now).await?;
                due::runs::add_to_run(&db, run, c.contacts, c.items).await?;
                if let Some(p) = pause {
                    tokio::time::sleep(p).await;
                }
                anyhow::Ok(Some(c))
            }
        })
        .buffer_unordered(if pass.one_by_one {
            1
        } else {
            rebuild_parallelism()
        });
    let mut total = Counts::default();
    while let Some(done) = rebuilds.try_next().await? {
        if let Some(c) = done {
            total.users += 1;
            total.contacts += c.contacts;
            total.items += c.items;
        }
    }
    Ok(total)
}

/// A contact's due state right after a write: today's item, and what comes next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub item: Option<DueItem>,
    pub upcoming: Option<(cadence::Reason, NaiveDate)>,
}

/// A contact's item and next due date as of its owner's today, without writing anything
/// (the contact page shows it). Also returns the owner, or None for an unknown contact.
pub async fn contact_state(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<(Decided, Refreshed, NaiveDate)>> {
    let Some((owner_id, tz)) = facts::owner_of(conn, team_id, kind, id).await? else {
        return Ok(None);
    };
    let settings = settings::load(&mut *conn, team_id).await?;
    decide_contact(
        conn,
        team_id,
        (kind, id),
        (owner_id, tz),
        &settings,
        now,
        None,
    )
    .await
    .map(Some)
}

/// [`contact_state`] for a contact whose owner (and their zone) and team settings are known.
/// `read` is the contact's facts if already read, with the bound they were read with: they are
/// used when that bound is the owner's end of day, else read again.
async fn decide_contact(
    conn: &mut PgConnection,
    team_id: i64,
    (kind, id): (ContactKind, i64),
    (owner_id, tz): (i64, Tz),
    settings: &TeamSettings,
    now: DateTime<Utc>,
    read: Option<(DateTime<Utc>, Option<OwnedFacts>)>,
) -> sqlx::Result<(Decided, Refreshed, NaiveDate)> {
    let today = today_at(now, tz);
    let until = facts::end_of_day(today, tz);
    let found = match read {
        Some((bound, found)) if bound == until => found,
        _ => facts::gather(conn, team_id, kind, Scope::Contact(id), until)
            .await?
            .into_iter()
            .next(),
    };
    let (decided, upcoming) = match found {
        Some(f) => {
            let upcoming = cadence::upcoming(&f.facts, &settings.cadence, tz, today);
            (decide_all(vec![f], settings, tz, today).remove(0), upcoming)
        }
        // archived: nothing is due, and any open history item is settled
        None => {
            let none = Decided {
                kind,
                contact_id: id,
                owner_id,
                temperature: cadence::Temperature::Warm,
                item: None,
            };
            (none, None)
        }
    };
    let refreshed = Refreshed {
        item: decided.item.clone(),
        upcoming,
    };
    Ok((decided, refreshed, today))
}

/// What comes next for each of some contacts of one kind, each seen on its owner's today
/// (`cadence::upcoming`): the settings, the owners' zones and one facts query pair for the whole
/// set, never a query per contact.
pub async fn upcoming_for(
    db: &PgPool,
    team_id: i64,
    kind: ContactKind,
    contacts: &[(i64, i64)],
    now: DateTime<Utc>,
) -> sqlx::Result<HashMap<i64, (Reason, NaiveDate)>> {
    if contacts.is_empty() {
        return Ok(HashMap::new());
    }
    let settings = settings::load(db, team_id).await?;
    let zones: HashMap<i64, Tz> = users::list_for_team(db, team_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.tz()))
        .collect();
    let zone = |owner: i64| zones.get(&owner).copied().unwrap_or(chrono_tz::UTC);
    // Facts up to the end of the latest "today" among the owners: nothing later exists yet.
    let until = contacts
        .iter()
        .map(|(_, owner)| facts::end_of_day(today_at(now, zone(*owner)), zone(*owner)))
        .max()
        .unwrap_or(now);
    let ids: Vec<i64> = contacts.iter().map(|(id, _)| *id).collect();
    let mut conn = db.acquire().await?;
    let found = facts::gather_ids(&mut conn, team_id, kind, &ids, until).await?;
    Ok(found
        .into_iter()
        .filter_map(|f| {
            let tz = zone(f.owner_id);
            cadence::upcoming(&f.facts, &settings.cadence, tz, today_at(now, tz)).map(|u| (f.id, u))
        })
        .collect())
}

/// How many users' lists are rebuilt at once. A rebuild is mostly one PostgreSQL backend walking
/// index probes (the decoding and deciding here is a small share), so one per core keeps the
/// database's cores busy; each is still its own transaction, and an error stops the rest.
fn rebuild_parallelism() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4))
}

/// Proof that the transaction holds a contact's lock ([`lock_contacts`]): [`refresh_contact`]
/// takes one, so no write path can refresh a contact it has not locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactLock {
    kind: ContactKind,
    id: i64,
}

/// Locks some contacts for the rest of the transaction: every writer that refreshes a contact
/// holds its lock, so two of them (a move and a touch on the same candidate) take turns, and the
/// second reads the first's committed change before it decides.
///
/// Take it before any write that locks a list stamp (a touch, a contact edit, a DM made hot, a due
/// item: the `list_stamps` triggers lock the owners' `users` rows), so the order is always contact
/// locks, then list stamps; a contact created in the same transaction, which nobody else can see
/// yet, is the one exception. The locks come back in the order asked for.
pub async fn lock_contacts(
    conn: &mut PgConnection,
    contacts: &[(ContactKind, i64)],
) -> sqlx::Result<Vec<ContactLock>> {
    due::locks::lock_contacts(conn, contacts).await?;
    Ok(contacts
        .iter()
        .map(|&(kind, id)| ContactLock { kind, id })
        .collect())
}

/// Logs a touch on a live contact of the team and takes the contact's lock in the same statement
/// (before the insert's triggers lock any list stamp, so the order is the one [`lock_contacts`]
/// keeps): the touch as stored and the proof, or None when there is no such contact (nothing
/// written, nothing locked). One round trip where the lock and the insert took two.
pub async fn insert_touch(
    conn: &mut PgConnection,
    team_id: i64,
    (kind, id): (ContactKind, i64),
    author_id: i64,
    w: &TouchWrite,
) -> sqlx::Result<Option<(Touch, ContactLock)>> {
    let key = due::locks::contact_lock_key(kind, id);
    let touch = touches::insert(conn, team_id, kind, id, author_id, w, key).await?;
    Ok(touch.map(|t| (t, ContactLock { kind, id })))
}

/// [`lock_contacts`] for one contact.
pub async fn lock_contact(
    conn: &mut PgConnection,
    kind: ContactKind,
    id: i64,
) -> sqlx::Result<ContactLock> {
    due::locks::lock_contacts(conn, &[(kind, id)]).await?;
    Ok(ContactLock { kind, id })
}

/// Recomputes one contact's item for its owner's today, inside the caller's transaction (the
/// one that wrote the touch, snooze or edit), so Today is right the moment it commits.
///
/// The facts are read and decided under the contact's lock alone; the owner's list lock (the row
/// of their list stamp) is taken only to store the item, so refreshes of one recruiter's contacts
/// do not queue through each other's facts queries (after a touch the transaction holds it
/// already: the touch's insert moved the stamp). A rebuild of that list holds the same lock
/// from before its facts query to its commit, and moves the stamp: whichever of the two stores
/// last read the facts after the other's commit (the rebuild) or holds its own change (this one).
/// When the stamp has not moved since the stored state was read and that state is what was
/// decided, nothing is written (most stage moves and edits change nothing that is due).
///
/// `zone` is the time zone of the user who made the write: the contact's stored state and its
/// facts are read in one statement, the facts bounded by the end of the day in that zone, the
/// likely owner's (most writes are the owner's own). When the owner's end of day is another
/// instant, the facts are read again with it: one more round trip, never another answer.
pub async fn refresh_contact(
    conn: &mut PgConnection,
    team_id: i64,
    lock: &ContactLock,
    (now, zone): (DateTime<Utc>, Tz),
) -> sqlx::Result<Refreshed> {
    refresh(conn, team_id, lock, (now, zone), None).await
}

/// [`refresh_contact`] after logging the touch `touch_id` on the contact: an item it changes or
/// ends is settled by that touch.
pub async fn refresh_after_touch(
    conn: &mut PgConnection,
    team_id: i64,
    lock: &ContactLock,
    (now, zone): (DateTime<Utc>, Tz),
    touch_id: i64,
) -> sqlx::Result<Refreshed> {
    refresh(conn, team_id, lock, (now, zone), Some(touch_id)).await
}

async fn refresh(
    conn: &mut PgConnection,
    team_id: i64,
    lock: &ContactLock,
    (now, zone): (DateTime<Utc>, Tz),
    settled_by: Option<i64>,
) -> sqlx::Result<Refreshed> {
    let (kind, id) = (lock.kind, lock.id);
    let guess = facts::end_of_day(today_at(now, zone), zone);
    let Some((stored, found)) = due::store::stored(conn, team_id, kind, id, guess).await? else {
        return Ok(Refreshed::default());
    };
    let (decided, refreshed, today) = decide_contact(
        conn,
        team_id,
        (kind, id),
        (stored.owner_id, stored.time_zone),
        &stored.settings,
        now,
        Some((guess, found)),
    )
    .await?;
    // A touch's insert already moved (and so locked) the owner's stamp in this transaction: the
    // stamp read with the stored state is final, and locking it again would be a round trip for
    // nothing.
    let stamp = if stored.stamp_held {
        Some(stored.list_stamp)
    } else {
        due::store::lock_list_stamp(conn, stored.owner_id).await?
    };
    if stamp == Some(stored.list_stamp) && stored.holds(&decided, today) {
        return Ok(refreshed);
    }
    if decided.item.is_some() {
        due::store::upsert_contact_item(conn, team_id, today, &decided).await?;
        due::history::record_history(conn, team_id, std::slice::from_ref(&decided), settled_by)
            .await?;
    } else {
        due::history::clear_and_settle(conn, team_id, &decided, settled_by).await?;
    }
    Ok(refreshed)
}
