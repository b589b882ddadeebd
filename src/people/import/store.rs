//! The database side of an import: the team's contacts and companies read for the checks, and
//! the write of the good rows in one short transaction (the caller's): the missing companies in
//! one statement, the new contacts in one `insert … select from unnest(…)` of arrays bound once,
//! the updates in one `update … from unnest(…)`. The rows are checked before the transaction
//! opens, so it holds its locks for no more than those statements.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::plan::{Existing, RowContact};
use crate::db::contacts::table;
use crate::domain::cadence::ContactKind;
use crate::people::normalise;

/// The team's contacts of one kind (erased ones are on the suppression list instead).
pub async fn existing(
    conn: &mut PgConnection,
    team_id: i64,
    kind: ContactKind,
) -> sqlx::Result<Vec<Existing>> {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        bool,
        bool,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select c.id, c.name, c.email, c.phone, c.title, c.source, c.company_id, co.name, c.do_not_contact, \
                c.archived_at is not null \
         from {} c left join companies co on co.team_id = c.team_id and co.id = c.company_id \
         where c.team_id = $1 and c.erased_at is null",
        table(kind)
    ))
    .bind(team_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Existing {
            id: r.0,
            name: r.1,
            email: r.2,
            phone: r.3,
            title: r.4,
            source: r.5,
            company_id: r.6,
            company: r.7,
            do_not_contact: r.8,
            archived: r.9,
        })
        .collect())
}

/// The ids of the companies the rows name, matched by name (case and spacing ignored), those
/// missing created (as first written in the file).
async fn company_ids<'a>(
    conn: &mut PgConnection,
    team_id: i64,
    rows: impl Iterator<Item = &'a RowContact>,
) -> sqlx::Result<HashMap<String, i64>> {
    let known: Vec<(i64, String)> =
        sqlx::query_as("select id, name from companies where team_id = $1 order by id")
            .bind(team_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut ids = HashMap::new();
    for (id, name) in known {
        ids.entry(normalise::words(&name)).or_insert(id);
    }
    let mut missing: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in rows.filter_map(|r| r.company.as_deref()) {
        let key = normalise::words(c);
        if !ids.contains_key(&key) && seen.insert(key) {
            missing.push(c.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    if !missing.is_empty() {
        let made: Vec<(i64, String)> = sqlx::query_as(
            "insert into companies (team_id, name) select $1, n from unnest($2::text[]) n returning id, name",
        )
        .bind(team_id)
        .bind(&missing)
        .fetch_all(&mut *conn)
        .await?;
        for (id, name) in made {
            ids.insert(normalise::words(&name), id);
        }
    }
    Ok(ids)
}

fn column<'a, T>(rows: &'a [&RowContact], f: impl Fn(&'a RowContact) -> T) -> Vec<T> {
    rows.iter().map(|r| f(r)).collect()
}

/// Writes the new contacts and the updates; returns how many of each.
pub async fn write(
    conn: &mut PgConnection,
    (team_id, kind, owner_id): (i64, ContactKind, i64),
    news: &[&RowContact],
    updates: &[(i64, &RowContact)],
) -> sqlx::Result<(u64, u64)> {
    let companies = company_ids(
        conn,
        team_id,
        news.iter().copied().chain(updates.iter().map(|u| u.1)),
    )
    .await?;
    let company_of = |r: &RowContact| {
        r.company
            .as_deref()
            .and_then(|c| companies.get(&normalise::words(c)).copied())
    };
    let dm = kind == ContactKind::DecisionMaker;
    let created = if news.is_empty() {
        0
    } else {
        let (col, val) = if dm {
            (", temperature", ", u.temperature")
        } else {
            ("", "")
        };
        sqlx::query(&format!(
            "insert into {} (team_id, owner_id, company_id, name, title, email, phone, source, talking_points{col}) \
             select $1, $2, u.company_id, u.name, u.title, u.email, u.phone, u.source, u.talking_points{val} \
             from unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) \
                  with ordinality as u(company_id, name, title, email, phone, source, talking_points, temperature, n) \
             order by u.n",
            table(kind)
        ))
        .bind(team_id)
        .bind(owner_id)
        .bind(column(news, company_of))
        .bind(column(news, |r| r.write.name.as_str()))
        .bind(column(news, |r| r.write.title.as_str()))
        .bind(column(news, |r| r.write.email.as_str()))
        .bind(column(news, |r| r.write.phone.as_str()))
        .bind(column(news, |r| r.write.source.as_str()))
        .bind(column(news, |r| r.write.talking_points.as_str()))
        .bind(column(news, |r| r.write.temperature.as_str()))
        .execute(&mut *conn)
        .await?
        .rows_affected()
    };
    let updated = if updates.is_empty() {
        0
    } else {
        let rows: Vec<&RowContact> = updates.iter().map(|u| u.1).collect();
        let ids: Vec<i64> = updates.iter().map(|u| u.0).collect();
        let fill = |c: &str| format!("{c} = case when c.{c} = '' then u.{c} else c.{c} end");
        sqlx::query(&format!(
            "update {} c set {}, {}, {}, {}, company_id = coalesce(c.company_id, u.company_id), updated_at = now() \
             from unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[]) \
                  as u(id, company_id, title, email, phone, source) \
             where c.team_id = $1 and c.id = u.id",
            table(kind),
            fill("title"),
            fill("email"),
            fill("phone"),
            fill("source"),
        ))
        .bind(team_id)
        .bind(ids)
        .bind(column(&rows, company_of))
        .bind(column(&rows, |r| r.write.title.as_str()))
        .bind(column(&rows, |r| r.write.email.as_str()))
        .bind(column(&rows, |r| r.write.phone.as_str()))
        .bind(column(&rows, |r| r.write.source.as_str()))
        .execute(&mut *conn)
        .await?
        .rows_affected()
    };
    Ok((created, updated))
}
