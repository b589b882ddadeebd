//! Importing contacts from a CSV file (`people::import`), for the page (a job: preview, run in
//! the background with progress, result) and `POST /api/v1/imports` (at once) alike.

use super::{ActionError, ActionResult, Ctx};
use crate::accounts::FieldError;
use crate::audit::{self, Event, Kind};
use crate::db::imports::{self, Finished, Import, NewImport};
use crate::db::users::{self, User};
use crate::domain::cadence::ContactKind;
use crate::people::import::columns::Field;
use crate::people::import::plan::Policy;
use crate::people::import::{self as import, Ask, Checked, file};

/// The largest file an import takes (the server's other requests stay at 10 MB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The owner of the imported contacts: the caller, or (a manager only) an active teammate.
pub async fn owner_for(cx: &Ctx<'_>, user: &User, owner_id: Option<i64>) -> ActionResult<i64> {
    let Some(owner) = owner_id.filter(|o| *o != user.id) else {
        return Ok(user.id);
    };
    if !user.is_manager() {
        return Err(FieldError::new(
            "owner_id",
            "Only a manager can import contacts for someone else.",
        )
        .into());
    }
    match users::find_in_team(cx.db, user.team_id, owner).await? {
        Some(u) if u.active => Ok(u.id),
        _ => Err(FieldError::new(
            "owner_id",
            "Choose an active user of your team as the owner.",
        )
        .into()),
    }
}

/// Reads the file, or says why it cannot be read (a 422 naming `file`).
pub fn read(bytes: &[u8]) -> ActionResult<file::Table> {
    file::read(bytes).map_err(|e| FieldError::new("file", e.message()).into())
}

/// Checks every row (nothing written).
pub async fn check(
    cx: &Ctx<'_>,
    user: &User,
    ask: &Ask,
    bytes: &[u8],
    job: Option<i64>,
) -> ActionResult<Checked> {
    let table = read(bytes)?;
    // a read-only transaction, for the longer statement timeout of a big team's contacts
    let mut tx = cx.db.begin().await?;
    crate::db::allow_long_statements(&mut tx).await?;
    let checked =
        import::check(&mut tx, user.team_id, ask, table, job.map(|id| (cx.db, id))).await?;
    tx.commit().await?;
    Ok(checked)
}

/// Writes the good rows of a checked file in one transaction, and logs the import (counts only).
pub async fn apply(
    cx: &Ctx<'_>,
    user: &User,
    ask: &Ask,
    checked: &Checked,
) -> ActionResult<(u64, u64)> {
    let (news, updates) = checked.writes();
    let c = checked.counts();
    let mut tx = cx.db.begin().await?;
    crate::db::allow_long_statements(&mut tx).await?;
    let done = import::store::write(
        &mut tx,
        (user.team_id, ask.kind, ask.owner_id),
        &news,
        &updates,
    )
    .await?;
    let detail = format!(
        "{} owner {}: created {}, updated {}, duplicates {}, suppressed {}, invalid {}",
        ask.kind.as_str(),
        ask.owner_id,
        done.0,
        done.1,
        c.duplicates,
        c.suppressed,
        c.invalid
    );
    audit::record(
        &mut *tx,
        cx.who,
        cx.now,
        Event::new(Kind::Import, user.team_id).detail(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}

/// A new import job holding the file, for its preview.
pub async fn create_job(
    cx: &Ctx<'_>,
    user: &User,
    ask: &Ask,
    file_name: &str,
    bytes: &[u8],
) -> ActionResult<i64> {
    read(bytes)?;
    let id = imports::insert(
        cx.db,
        user.team_id,
        &NewImport {
            user_id: user.id,
            owner_id: ask.owner_id,
            kind: ask.kind.as_str(),
            on_duplicate: ask.policy.as_str(),
            file_name,
            body: bytes,
        },
    )
    .await?;
    Ok(id)
}

/// A job of the caller (a manager: of anyone of the team).
pub async fn job(cx: &Ctx<'_>, user: &User, id: i64) -> ActionResult<Import> {
    let mine = (!user.is_manager()).then_some(user.id);
    imports::find(cx.db, user.team_id, id, mine)
        .await?
        .ok_or(ActionError::NotFound)
}

/// What a job asks. Its stored kind and policy were checked when it was made: an unknown code
/// read back is an error, never a guess.
pub fn ask_of(job: &Import) -> ActionResult<Ask> {
    let mapping: Option<Vec<Field>> =
        Some(job.mapping.iter().filter_map(|c| Field::parse(c)).collect())
            .filter(|m: &Vec<Field>| !m.is_empty() && m.len() == job.mapping.len());
    let unknown = |what: &str, code: &str| {
        ActionError::Internal(format!("import {}: unknown {what} `{code}`", job.id))
    };
    Ok(Ask {
        kind: job
            .kind
            .parse::<ContactKind>()
            .map_err(|_| unknown("kind", &job.kind))?,
        owner_id: job.owner_id,
        policy: Policy::parse(&job.on_duplicate)
            .ok_or_else(|| unknown("duplicates policy", &job.on_duplicate))?,
        mapping,
    })
}

/// Saves the mapping chosen on the preview.
pub async fn set_mapping(cx: &Ctx<'_>, user: &User, id: i64, codes: &[String]) -> ActionResult<()> {
    let job = job(cx, user, id).await?;
    let fields: Vec<&str> = codes
        .iter()
        .map(|c| {
            Field::parse(c)
                .map(Field::as_str)
                .ok_or_else(|| FieldError::new("mapping", "Choose a field for every column."))
        })
        .collect::<Result<_, _>>()?;
    if !imports::set_mapping(cx.db, job.id, &fields).await? {
        return Err(ActionError::Conflict("This import has already run.".into()));
    }
    Ok(())
}

/// Moves a previewed job to running; the caller then runs [`run_job`] (in the background).
pub async fn start_job(cx: &Ctx<'_>, user: &User, id: i64) -> ActionResult<Import> {
    let job = job(cx, user, id).await?;
    let rows = job
        .body
        .as_deref()
        .map(read)
        .transpose()?
        .map_or(0, |t| t.rows.len());
    if !imports::start(cx.db, job.id, i32::try_from(rows).unwrap_or(i32::MAX)).await? {
        return Err(ActionError::Conflict("This import has already run.".into()));
    }
    Ok(job)
}

/// Runs a started job to its end: checks with progress, writes, records the result. A failure
/// writes nothing and marks the job failed.
pub async fn run_job(cx: &Ctx<'_>, user: &User, job: &Import) -> ActionResult<()> {
    let result = run_job_inner(cx, user, job).await;
    if result.is_err() {
        imports::fail(cx.db, job.id, cx.now).await?;
    }
    result
}

async fn run_job_inner(cx: &Ctx<'_>, user: &User, job: &Import) -> ActionResult<()> {
    let ask = ask_of(job)?;
    let body = job.body.as_deref().unwrap_or_default();
    let checked = check(cx, user, &ask, body, Some(job.id)).await?;
    let (created, updated) = apply(cx, user, &ask, &checked).await?;
    let left_out = checked
        .left_out_csv()
        .map_err(|e| ActionError::Internal(format!("csv: {e}")))?;
    let c = checked.counts();
    let finished = Finished {
        created,
        updated,
        duplicates: c.duplicates,
        suppressed: c.suppressed,
        invalid: c.invalid,
        left_out: &left_out,
    };
    imports::finish(cx.db, job.id, &finished, cx.now).await?;
    Ok(())
}
