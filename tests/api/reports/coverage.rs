//! The 90-day coverage counted from its summaries (`coverage_days`, the DMs' latest attempts and
//! `dm_attempt_gaps`) equals the rows its list shows, read from the touches, in zones whose
//! midnights fall at any hour of the UTC day, as touches are back-dated, corrected, moved and
//! deleted and DMs are reassigned, archived, marked do-not-contact or created after the window.

use chrono_tz::Tz;

use super::summaries::{figure, recount};
use super::*;

/// Every zone and window end checked: windows that start and end on every side of the test data.
async fn assert_same(f: &Fx, when: &str, ends: &[NaiveDate]) {
    let zones: [Tz; 4] = [
        New_York,
        chrono_tz::UTC,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Pacific::Chatham,
    ];
    for tz in zones {
        for to in ends {
            let scope = Scope::new(f.team, (*to - Duration::days(27), *to), tz, f.today, 30);
            assert!(scope.coverage_utc_days().is_some(), "the fast path is used");
            let fast = figure(f, &scope, Figure::Coverage).await;
            assert_eq!(
                fast,
                recount(f, &scope, Figure::Coverage).await,
                "{when}: coverage in {tz} to {to}"
            );
            let rob = scope.clone().for_user(Some(f.rob));
            let mine: Vec<_> = fast
                .iter()
                .filter(|r| r.0 == Some(f.rob))
                .cloned()
                .chain(fast.iter().filter(|r| r.0.is_none()).map(|r| {
                    let n = fast
                        .iter()
                        .filter(|x| x.0 == Some(f.rob) && x.1 == r.1)
                        .map(|x| x.2)
                        .sum();
                    (None, r.1.clone(), n, 0)
                }))
                .filter(|r| r.2 > 0)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            assert_eq!(
                figure(f, &rob, Figure::Coverage).await,
                mine,
                "{when}: Rob's coverage in {tz} to {to}"
            );
        }
    }
    // The summary table itself equals a count from scratch.
    let kept: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "select owner_id, team_id, day::text, dms::bigint from coverage_days where dms <> 0 order by 1, 2, 3",
    )
    .fetch_all(&f.app.db)
    .await
    .unwrap();
    let counted: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "select d.owner_id, d.team_id, coalesce((max(t.occurred_at) at time zone 'UTC')::date, '-infinity')::text, 1::bigint \
         from decision_makers d left join touches t on t.decision_maker_id = d.id and t.deleted_at is null \
           and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number') \
         where d.archived_at is null and not d.do_not_contact group by d.id",
    )
    .fetch_all(&f.app.db)
    .await
    .unwrap();
    let mut by: std::collections::BTreeMap<(i64, i64, String), i64> = Default::default();
    for (o, t, d, n) in counted {
        *by.entry((o, t, d)).or_default() += n;
    }
    let counted: Vec<_> = by.into_iter().map(|((o, t, d), n)| (o, t, d, n)).collect();
    assert_eq!(kept, counted, "{when}: coverage_days");
}

async fn set(f: &Fx, sql: &str, id: i64) {
    sqlx::query(sql).bind(id).execute(&f.app.db).await.unwrap();
}

#[tokio::test]
async fn coverage_from_summaries_matches_the_touches() {
    let f = fx().await;
    // Windows ending 12 and 3 days ago, and yesterday; `b` is the first one's last day.
    let b = f.today - Duration::days(12);
    let ends = [b, f.today - Duration::days(3), f.today - Duration::days(1)];
    let start = b - Duration::days(89); // the 90 days are start ..= b (New York)
    let (rob, sue) = (f.rob, f.sue);

    // One DM per attempt, every 5 hours across the window's first and last days, each attempted
    // again after the window (or not): zones cut between them on both sides.
    let mut edge = Vec::new();
    for (i, h) in (-36..36).step_by(5).enumerate() {
        for day in [start, b + Duration::days(1)] {
            let who = if i % 2 == 0 { rob } else { sue };
            let dm = f.dm(who, &format!("Edge {day} {h}")).await;
            f.attempt(
                C::Dm(dm),
                who,
                ny(day, 0, 0) + Duration::hours(h) + Duration::minutes(10),
            )
            .await;
            if i % 3 == 0 {
                f.attempt(C::Dm(dm), who, noon(b, 6)).await;
            }
            edge.push(dm);
        }
    }
    let long_ago = f.dm(rob, "Long ago").await;
    f.attempt(C::Dm(long_ago), rob, noon(start, -200)).await;
    let inside = f.dm(rob, "Inside").await;
    f.attempt(C::Dm(inside), rob, noon(b, -30)).await;
    // Before the window and after it, none in it: not covered.
    let jumped = f.dm(sue, "Jumped").await;
    f.attempt(C::Dm(jumped), sue, noon(start, -1)).await;
    f.attempt(C::Dm(jumped), sue, noon(b, 3)).await;
    f.attempt(C::Dm(jumped), sue, noon(b, 5)).await;
    // First attempted after the window.
    let later = f.dm(sue, "Later").await;
    f.attempt(C::Dm(later), sue, noon(b, 2)).await;
    // Only touches that are no attempts.
    let no_attempt = f.dm(rob, "No attempt").await;
    f.touch(
        C::Dm(no_attempt),
        rob,
        "call",
        "inbound",
        "connected",
        noon(b, -3),
    )
    .await;
    f.touch(
        C::Dm(no_attempt),
        rob,
        "email",
        "outbound",
        "bounced",
        noon(b, -4),
    )
    .await;
    let never = f.dm(sue, "Never").await;
    let archived = f.dm(rob, "Archived").await;
    f.attempt(C::Dm(archived), rob, noon(b, -2)).await;
    set(
        &f,
        "update decision_makers set archived_at = now() where id = $1",
        archived,
    )
    .await;
    let dnc = f.dm(sue, "Do not contact").await;
    f.attempt(C::Dm(dnc), sue, noon(b, -2)).await;
    set(
        &f,
        "update decision_makers set do_not_contact = true where id = $1",
        dnc,
    )
    .await;
    // Created after the window, with a touch back-dated into it.
    let created_late = f.dm(rob, "Created late").await;
    f.attempt(C::Dm(created_late), rob, noon(b, -5)).await;
    f.attempt(C::Dm(created_late), rob, noon(b, 4)).await;
    sqlx::query("update decision_makers set created_at = $2 where id = $1")
        .bind(created_late)
        .bind(noon(b, 1))
        .execute(&f.app.db)
        .await
        .unwrap();
    // Another team's DM, attempted in the window.
    let other = f.dm_in(f.other_team, f.olga, "Xavier").await;
    f.touch_full(
        f.other_team,
        C::Dm(other),
        f.olga,
        "call",
        "outbound",
        "no_answer",
        noon(b, -10),
        0,
    )
    .await;
    assert_same(&f, "as logged", &ends).await;

    // A touch back-dated into the window; the only attempt in it deleted; a touch moved to
    // another DM and to another time; one that stops being an attempt; one deleted outright.
    let back = f.attempt(C::Dm(jumped), sue, noon(b, -40)).await;
    assert_same(&f, "back-dated", &ends).await;
    set(
        &f,
        "update touches set deleted_at = now() where id = $1",
        back,
    )
    .await;
    let moved = f.attempt(C::Dm(long_ago), rob, noon(b, -1)).await;
    assert_same(&f, "deleted and added", &ends).await;
    sqlx::query("update touches set decision_maker_id = $2, occurred_at = $3 where id = $1")
        .bind(moved)
        .bind(never)
        .bind(noon(start, -3))
        .execute(&f.app.db)
        .await
        .unwrap();
    set(
        &f,
        "update touches set outcome = 'wrong_number' where decision_maker_id = $1",
        inside,
    )
    .await;
    set(
        &f,
        "delete from touches where decision_maker_id = $1",
        later,
    )
    .await;
    assert_same(&f, "corrected", &ends).await;

    // DMs reassigned one by one and in bulk, archived and back, do-not-contact lifted, one
    // created now; then Rob's DMs go to Sue and an edge DM is attempted today.
    set(&f, "update decision_makers set owner_id = (select id from users where email = 'sue@acme.test') where id = $1", inside).await;
    set(
        &f,
        "update decision_makers set archived_at = null where id = $1",
        archived,
    )
    .await;
    set(
        &f,
        "update decision_makers set do_not_contact = false where id = $1",
        dnc,
    )
    .await;
    set(
        &f,
        "update decision_makers set archived_at = now() where id = $1",
        edge[0],
    )
    .await;
    let fresh = f.dm(rob, "Fresh").await;
    sqlx::query("update decision_makers set created_at = now() where id = $1")
        .bind(fresh)
        .execute(&f.app.db)
        .await
        .unwrap();
    f.attempt(C::Dm(fresh), rob, noon(b, -7)).await;
    assert_same(&f, "reassigned and archived", &ends).await;
    sqlx::query("update decision_makers set owner_id = $2, updated_at = now() where team_id = $1 and owner_id = $3")
        .bind(f.team)
        .bind(sue)
        .bind(rob)
        .execute(&f.app.db)
        .await
        .unwrap();
    f.attempt(C::Dm(edge[3]), sue, noon(f.today, -1)).await;
    assert_same(&f, "after the bulk move", &ends).await;
}
