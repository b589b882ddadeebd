//! The CSV import of a team's existing contacts (DOMAIN.md, "People's data"): the file read as
//! real tools write it (`file`), its columns mapped to fields (`columns`), every row checked
//! against the team and the rows before it (`plan`), then the good rows written at once
//! (`store`). The page and `POST /api/v1/imports` both go through `actions::imports`.

pub mod columns;
pub mod file;
pub mod plan;
pub mod store;

use columns::Field;
use file::Table;
use plan::{Of, Planner, Policy, RowContact, Verdict};
use sqlx::PgConnection;

use crate::domain::cadence::ContactKind;
use crate::people::suppression;

/// Rows checked between two progress reports.
pub const PROGRESS_EVERY: usize = 5_000;

/// What an import is asked to do.
#[derive(Debug, Clone)]
pub struct Ask {
    pub kind: ContactKind,
    pub owner_id: i64,
    pub policy: Policy,
    /// The field of each column; None: guessed from the headers.
    pub mapping: Option<Vec<Field>>,
}

/// Every row's verdict, in file order, with the mapping used.
pub struct Checked {
    pub table: Table,
    pub mapping: Vec<Field>,
    pub verdicts: Vec<(usize, Verdict)>,
}

/// The counts of a checked import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub new: usize,
    pub updates: usize,
    pub duplicates: usize,
    pub suppressed: usize,
    pub invalid: usize,
}

impl Checked {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for (_, v) in &self.verdicts {
            match v {
                Verdict::New(_) => c.new += 1,
                Verdict::Update { .. } => c.updates += 1,
                Verdict::Duplicate(_) => c.duplicates += 1,
                Verdict::Suppressed => c.suppressed += 1,
                Verdict::Invalid(_) => c.invalid += 1,
            }
        }
        c
    }

    /// The new contacts and the updates, to write.
    pub fn writes(&self) -> (Vec<&RowContact>, Vec<(i64, &RowContact)>) {
        let mut news = Vec::new();
        let mut updates = Vec::new();
        for (_, v) in &self.verdicts {
            match v {
                Verdict::New(r) => news.push(r),
                Verdict::Update { id, row } => updates.push((*id, row)),
                _ => {}
            }
        }
        (news, updates)
    }

    /// The rows left out, each with why: for the download after an import.
    pub fn left_out_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut header = vec!["row", "why"];
        header.extend(self.table.headers.iter().map(String::as_str));
        let mut sheet = crate::spreadsheet::Sheet::new(&header)?;
        let cells: std::collections::HashMap<usize, &Vec<String>> =
            self.table.rows.iter().map(|(n, c)| (*n, c)).collect();
        for (row, v) in &self.verdicts {
            let Some(why) = why_left_out(v) else { continue };
            let number = row.to_string();
            let mut line = vec![number.as_str(), why.as_str()];
            line.extend(
                cells
                    .get(row)
                    .into_iter()
                    .flat_map(|c| c.iter().map(String::as_str)),
            );
            sheet.row(line)?;
        }
        sheet.finish()
    }
}

/// Why a row was left out, in words; None for a row that is written.
pub fn why_left_out(v: &Verdict) -> Option<String> {
    match v {
        Verdict::New(_) | Verdict::Update { .. } => None,
        Verdict::Duplicate(Of::Contact { id, name }) => Some(format!(
            "duplicate of {name} (id {id}), already in the team"
        )),
        Verdict::Duplicate(Of::Row(r)) => Some(format!("duplicate of row {r} of this file")),
        Verdict::Suppressed => Some("suppressed: erased or do-not-contact".into()),
        Verdict::Invalid(errors) => Some(
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

/// Checks every row of a read file against the team (nothing written); with a job, its row
/// hears how many rows are done every [`PROGRESS_EVERY`].
pub async fn check(
    conn: &mut PgConnection,
    team_id: i64,
    ask: &Ask,
    table: Table,
    job: Option<(&sqlx::PgPool, i64)>,
) -> sqlx::Result<Checked> {
    let existing = store::existing(conn, team_id, ask.kind).await?;
    let suppressed = suppression::List::load(conn, team_id).await?;
    let mapping = match &ask.mapping {
        Some(m) if m.len() == table.headers.len() => m.clone(),
        _ => columns::guess_all(&table.headers),
    };
    let mut planner = Planner::new(
        (ask.kind, ask.owner_id, ask.policy),
        &table.headers,
        mapping.clone(),
        existing,
        &suppressed,
    );
    let mut verdicts = Vec::with_capacity(table.rows.len());
    for (i, (row, cells)) in table.rows.iter().enumerate() {
        verdicts.push((*row, planner.check(*row, cells)));
        if let Some((db, id)) = job
            && (i + 1) % PROGRESS_EVERY == 0
        {
            crate::db::imports::set_progress(db, id, i + 1).await?;
        }
    }
    drop(planner);
    Ok(Checked {
        table,
        mapping,
        verdicts,
    })
}
