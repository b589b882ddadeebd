//! Everything held about one person, as one JSON document: the record, the touches with their
//! notes and the versions corrections replaced, applications with their stage history (a
//! candidate) or the job orders they hire for (a decision maker), snoozes, the due item and its
//! history, and the security-log entries about them. Rows are exported whole (`to_jsonb`), so a
//! column added later is exported without a change here.

use serde_json::Value;
use sqlx::PgConnection;

use crate::domain::cadence::ContactKind;

/// A list of rows as a JSON array (`[]` when none).
async fn rows(conn: &mut PgConnection, sql: &str, team_id: i64, id: i64) -> sqlx::Result<Value> {
    sqlx::query_scalar(sql)
        .bind(team_id)
        .bind(id)
        .fetch_one(conn)
        .await
}

/// The detail the security log records for an action on one contact: `decision_maker 42`.
pub fn audit_detail(kind: ContactKind, id: i64) -> String {
    format!("{} {id}", kind.as_str())
}

/// The document, or None when the contact is not the team's.
pub async fn document(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
    id: i64,
) -> sqlx::Result<Option<Value>> {
    let (table, fk) = match kind {
        ContactKind::DecisionMaker => ("decision_makers", "decision_maker_id"),
        ContactKind::Candidate => ("candidates", "candidate_id"),
    };
    // identifiers from the closed set above; every value is bound
    let record: Option<Value> = sqlx::query_scalar(&format!(
        "select to_jsonb(c) || jsonb_build_object('company_name', co.name, 'owner_name', u.name) \
         from {table} c join users u on u.id = c.owner_id \
         left join companies co on co.team_id = c.team_id and co.id = c.company_id \
         where c.team_id = $1 and c.id = $2"
    ))
    .bind(team_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(record) = record else {
        return Ok(None);
    };
    let touches = rows(
        conn,
        &format!(
            "select coalesce(jsonb_agg(to_jsonb(t) || jsonb_build_object('author_name', u.name, 'earlier_versions', \
               (select coalesce(jsonb_agg(jsonb_build_object('action', r.action, 'at', r.created_at, 'by', r.revised_by, 'previous', r.previous) \
                                          order by r.id), '[]') \
                  from touch_revisions r where r.team_id = t.team_id and r.touch_id = t.id)) order by t.occurred_at, t.id), '[]') \
             from touches t join users u on u.id = t.author_id where t.team_id = $1 and t.{fk} = $2"
        ),
        team_id,
        id,
    )
    .await?;
    let related = match kind {
        ContactKind::Candidate => {
            rows(
                conn,
                "select coalesce(jsonb_agg(to_jsonb(a) || jsonb_build_object('job_title', j.title, 'stage_history', \
                   (select coalesce(jsonb_agg(to_jsonb(s) order by s.changed_at, s.id), '[]') from application_stage_changes s \
                     where s.team_id = a.team_id and s.application_id = a.id)) order by a.id), '[]') \
                 from applications a join job_orders j on j.id = a.job_order_id \
                 where a.team_id = $1 and a.candidate_id = $2",
                team_id,
                id,
            )
            .await?
        }
        ContactKind::DecisionMaker => {
            rows(
                conn,
                "select coalesce(jsonb_agg(to_jsonb(j) order by j.id), '[]') from job_orders j \
                 where j.team_id = $1 and j.decision_maker_id = $2",
                team_id,
                id,
            )
            .await?
        }
    };
    let per_contact = |table: &str, order: &str| {
        format!(
            "select coalesce(jsonb_agg(to_jsonb(x) order by {order}), '[]') from {table} x \
             where x.team_id = $1 and x.contact_kind = '{}' and x.contact_id = $2",
            kind.as_str()
        )
    };
    let snoozes = rows(conn, &per_contact("due_snoozes", "x.id"), team_id, id).await?;
    let due_item = rows(conn, &per_contact("due_items", "x.list_date"), team_id, id).await?;
    let due_history = rows(conn, &per_contact("due_item_history", "x.id"), team_id, id).await?;
    let audit: Value = sqlx::query_scalar(
        "select coalesce(jsonb_agg(jsonb_build_object('at', a.at, 'kind', a.kind, 'actor_id', a.actor_id, 'detail', a.detail) \
                                   order by a.at, a.id), '[]') \
         from audit_events a where a.team_id = $1 and (a.detail = $2 or a.detail like $2 || ':%' or a.detail like $2 || ' %')",
    )
    .bind(team_id)
    .bind(audit_detail(kind, id))
    .fetch_one(&mut *conn)
    .await?;
    let related_key = match kind {
        ContactKind::Candidate => "applications",
        ContactKind::DecisionMaker => "job_orders",
    };
    let mut doc = serde_json::json!({
        "kind": kind.as_str(),
        "id": id,
        "record": record,
        "touches": touches,
        "snoozes": snoozes,
        "due_item": due_item.as_array().and_then(|a| a.first()).cloned(),
        "due_history": due_history,
        "audit": audit,
    });
    doc[related_key] = related;
    Ok(Some(doc))
}
