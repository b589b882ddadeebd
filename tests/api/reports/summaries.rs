//! The summaries kept by triggers (`touch_days`, `dm_first_connected_calls`) give the same
//! figures as the rows they summarise, in zones whose midnights fall at any hour of the UTC day,
//! after corrections, moves and deletions.

use chrono_tz::Tz;
use secondcall::db::reports::{self, Count};

use super::*;

/// (user, status, n, total) of a figure, from its aggregate.
pub(super) async fn figure(
    f: &Fx,
    scope: &Scope,
    fig: Figure,
) -> Vec<(Option<i64>, String, i64, i64)> {
    let mut rows: Vec<_> = reports::aggregate(&f.app.db, scope, fig)
        .await
        .unwrap()
        .into_iter()
        .map(|c: Count| {
            let total = c.total.map_or(0, |t| t.round() as i64);
            (c.user_id, c.status, c.n, total)
        })
        .collect();
    rows.sort();
    rows
}

/// The same, counted from the touches: touches and referrals from the rows their lists show,
/// new DMs from each DM's first connected call found in the touches (no summary involved).
pub(super) async fn recount(
    f: &Fx,
    scope: &Scope,
    fig: Figure,
) -> Vec<(Option<i64>, String, i64, i64)> {
    let rows: Vec<(Option<i64>, String, i64)> = if fig == Figure::NewDms {
        sqlx::query_as(
            "select x.author_id, 'new', 0::bigint from (select distinct on (t.decision_maker_id) t.author_id, t.occurred_at \
               from touches t where t.team_id = $1 and t.decision_maker_id is not null and t.deleted_at is null \
                 and t.channel = 'call' and t.outcome = 'connected' \
               order by t.decision_maker_id, t.occurred_at, t.id) x \
             where x.occurred_at >= $2 and x.occurred_at < $3",
        )
        .bind(scope.team_id)
        .bind(scope.start)
        .bind(scope.end)
        .fetch_all(&f.app.db)
        .await
        .unwrap()
    } else {
        reports::list(&f.app.db, scope, fig, None, 100_000, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.user_id, r.status, r.value.map_or(0, |v| v.round() as i64)))
            .collect()
    };
    let mut by: std::collections::BTreeMap<(Option<i64>, String), (i64, i64)> =
        std::collections::BTreeMap::new();
    for (user, status, v) in rows {
        for key in [(user, status.clone()), (None, status)] {
            let e = by.entry(key).or_default();
            e.0 += 1;
            e.1 += v;
        }
    }
    by.into_iter()
        .map(|((u, s), (n, t))| (u, s, n, t))
        .collect()
}

async fn assert_same(f: &Fx, when: &str) {
    let zones: [Tz; 4] = [
        New_York,
        chrono_tz::UTC,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Pacific::Chatham,
    ];
    for tz in zones {
        for (from, to) in [
            (f.d0, f.today - Duration::days(1)),
            (f.d0 + Duration::days(2), f.d0 + Duration::days(2)),
            (f.d0 + Duration::days(1), f.d0 + Duration::days(9)),
        ] {
            let scope = Scope::new(f.team, (from, to), tz, f.today, 30);
            for fig in [Figure::Touches, Figure::Referrals, Figure::NewDms] {
                assert_eq!(
                    figure(f, &scope, fig).await,
                    recount(f, &scope, fig).await,
                    "{when}: {} in {tz} from {from} to {to}",
                    fig.as_str()
                );
            }
        }
    }
}

#[tokio::test]
async fn summaries_match_the_touches_in_every_zone_after_corrections_and_deletions() {
    let f = fx().await;
    let d0 = f.d0;
    let dm = f.dm(f.rob, "Ann").await;
    let dm2 = f.dm(f.sue, "Ben").await;
    let cand = f.cand(f.rob, "Cy").await;
    // Touches at every few hours around the period's first days, so that midnights of each zone
    // cut between them; calls that connect, a note with referrals, another team's touch.
    let mut ids = Vec::new();
    for h in (0..72).step_by(5) {
        let at = ny(d0, 0, 0) + Duration::hours(h) + Duration::minutes(20);
        let (c, who) = if h % 2 == 0 {
            (C::Dm(dm), f.rob)
        } else {
            (C::Dm(dm2), f.sue)
        };
        let outcome = if h % 3 == 0 { "connected" } else { "no_answer" };
        ids.push(f.touch(c, who, "call", "outbound", outcome, at).await);
    }
    f.touch_full(
        f.team,
        C::Cand(cand),
        f.rob,
        "note",
        "outbound",
        "sent",
        noon(d0, 1),
        3,
    )
    .await;
    f.touch_full(
        f.team,
        C::Cand(cand),
        f.sue,
        "email",
        "inbound",
        "replied",
        ny(d0, 23, 50),
        2,
    )
    .await;
    let other = f.dm_in(f.other_team, f.olga, "Xavier").await;
    f.touch_full(
        f.other_team,
        C::Dm(other),
        f.olga,
        "call",
        "outbound",
        "connected",
        noon(d0, 1),
        0,
    )
    .await;
    assert_same(&f, "as logged").await;

    // A correction moves a touch to another day, channel and author; another loses its
    // connection; the DM's first connected call is deleted; a referral touch is deleted.
    let db = &f.app.db;
    sqlx::query("update touches set occurred_at = occurred_at + interval '30 hours', channel = 'meeting', author_id = $2 where id = $1")
        .bind(ids[1])
        .bind(f.sue)
        .execute(db)
        .await
        .unwrap();
    sqlx::query("update touches set outcome = 'no_answer' where id = $1")
        .bind(ids[6])
        .execute(db)
        .await
        .unwrap();
    sqlx::query("update touches set deleted_at = now() where id = $1 or (candidate_id = $2 and channel = 'note')")
        .bind(ids[0])
        .bind(cand)
        .execute(db)
        .await
        .unwrap();
    // A touch moved to another DM takes its connected call along.
    sqlx::query("update touches set decision_maker_id = $2 where id = $1")
        .bind(ids[3])
        .bind(dm2)
        .execute(db)
        .await
        .unwrap();
    assert_same(&f, "after corrections").await;

    // Deleted outright (as an administrator might), and restored.
    sqlx::query("delete from touches where id = $1")
        .bind(ids[2])
        .execute(db)
        .await
        .unwrap();
    sqlx::query("update touches set deleted_at = null where id = $1")
        .bind(ids[0])
        .execute(db)
        .await
        .unwrap();
    assert_same(&f, "after a delete and a restore").await;
}

/// The schema keeps a touch in its team: its author and its contact are of the touch's team
/// (`touches_author_in_team`, `touches_decision_maker_in_team`, `touches_candidate_in_team`), and
/// a correction cannot move it out either; the summaries see only touches that hold together.
#[tokio::test]
async fn a_touch_belongs_to_the_team_of_its_author_and_its_contact() {
    let f = fx().await;
    let db = &f.app.db;
    let ours = f.dm(f.rob, "Ann").await;
    let cand = f.cand(f.rob, "Cy").await;
    let theirs = f.dm_in(f.other_team, f.olga, "Xavier").await;
    let insert = "insert into touches (team_id, decision_maker_id, candidate_id, author_id, channel, direction, outcome, occurred_at) \
                  values ($1, $2, $3, $4, 'call', 'outbound', 'no_answer', now()) returning id";
    let refused = |r: sqlx::Result<i64>, constraint: &str| match r {
        Err(sqlx::Error::Database(e)) => {
            assert_eq!(e.code().as_deref(), Some("23503"), "{e}");
            assert_eq!(e.constraint(), Some(constraint), "{e}");
        }
        other => panic!("expected {constraint} to refuse it, got {other:?}"),
    };
    let cases = [
        // our team's touch by another team's user
        (f.team, Some(ours), None, f.olga, "touches_author_in_team"),
        // our team's touch of another team's DM
        (
            f.team,
            Some(theirs),
            None,
            f.rob,
            "touches_decision_maker_in_team",
        ),
        // their team's touch of our candidate, by their user
        (
            f.other_team,
            None,
            Some(cand),
            f.olga,
            "touches_candidate_in_team",
        ),
        // their team's touch by our user of their DM
        (
            f.other_team,
            Some(theirs),
            None,
            f.rob,
            "touches_author_in_team",
        ),
    ];
    for (team, dm, candidate, author, constraint) in cases {
        let r = sqlx::query_scalar(insert)
            .bind(team)
            .bind(dm)
            .bind(candidate)
            .bind(author)
            .fetch_one(db)
            .await;
        refused(r, constraint);
    }
    let kept = f.attempt(C::Dm(ours), f.rob, noon(f.d0, 1)).await;
    let moved = sqlx::query_scalar("update touches set author_id = $2 where id = $1 returning id")
        .bind(kept)
        .bind(f.olga)
        .fetch_one(db)
        .await;
    refused(moved, "touches_author_in_team");
    let theirs_kept = f
        .touch_full(
            f.other_team,
            C::Dm(theirs),
            f.olga,
            "call",
            "outbound",
            "no_answer",
            noon(f.d0, 1),
            0,
        )
        .await;
    let count: i64 = sqlx::query_scalar("select count(*) from touches where id in ($1, $2)")
        .bind(kept)
        .bind(theirs_kept)
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(count, 2, "the touches that hold together are kept");
    assert_same(&f, "after the refused touches").await;
}
