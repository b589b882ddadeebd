//! Job orders and applications: creating them, moving candidates through the pipeline with a
//! version check, and the sign-off calls and due states those moves change.

use serde::Deserialize;
use sqlx::PgConnection;

use super::{ActionError, ActionResult, Ctx};
use crate::accounts::FieldError;
use crate::db::applications::{self, Moved};
use crate::db::contacts;
use crate::db::jobs::{self, JobWrite};
use crate::db::users::{self, User};
use crate::domain::cadence::ContactKind;
use crate::domain::pipeline::{JobStatus, Stage};
use crate::due::engine;
use crate::error::is_unique_violation;

/// A job order as typed (forms and JSON).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub company_id: Option<i64>,
    #[serde(default)]
    pub decision_maker_id: Option<i64>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub status: String,
}

impl JobInput {
    /// The write, with the acting user as default owner and `open` as default status.
    pub fn parse(&self, acting_user: i64) -> Result<JobWrite, FieldError> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(FieldError::new(
                "title",
                "Give the job a title of up to 200 characters.",
            ));
        }
        let company_id = self
            .company_id
            .ok_or_else(|| FieldError::new("company_id", "Choose the client company."))?;
        let status = match self.status.trim() {
            "" => JobStatus::Open,
            s => s.parse().map_err(|_| {
                FieldError::new("status", "Choose open, on hold, filled or cancelled.")
            })?,
        };
        Ok(JobWrite {
            company_id,
            decision_maker_id: self.decision_maker_id,
            owner_id: self.owner_id.unwrap_or(acting_user),
            title: title.to_string(),
            status,
        })
    }
}

/// The company, hiring DM and owner of a job must be the team's; the DM works at that company.
async fn check_refs(conn: &mut PgConnection, team_id: i64, w: &JobWrite) -> ActionResult<()> {
    if !crate::db::companies::exists(&mut *conn, team_id, w.company_id).await? {
        return Err(FieldError::new("company_id", "Choose one of your team's companies.").into());
    }
    if let Some(dm) = w.decision_maker_id {
        let found = contacts::find(&mut *conn, team_id, ContactKind::DecisionMaker, dm).await?;
        if found.is_none_or(|d| d.company_id != Some(w.company_id)) {
            return Err(FieldError::new(
                "decision_maker_id",
                "Choose a decision maker of that company.",
            )
            .into());
        }
    }
    if !users::find_in_team(&mut *conn, team_id, w.owner_id)
        .await?
        .is_some_and(|u| u.active)
    {
        return Err(FieldError::new("owner_id", "Choose an active user of your team.").into());
    }
    Ok(())
}

/// Creates a job order; an open one makes its hiring DM hot.
pub async fn create(cx: &Ctx<'_>, user: &User, w: &JobWrite) -> ActionResult<i64> {
    let mut tx = cx.db.begin().await?;
    check_refs(&mut tx, user.team_id, w).await?;
    let id = jobs::insert(&mut tx, user.team_id, w, user.id).await?;
    if let Some(dm) = w.decision_maker_id.filter(|_| w.status == JobStatus::Open) {
        let lock = engine::lock_contact(&mut tx, ContactKind::DecisionMaker, dm).await?;
        jobs::warm_up_dm(&mut tx, user.team_id, dm).await?;
        engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Saves a job order; closing it (filled, cancelled) makes sign-off calls due for its finalists.
pub async fn update(cx: &Ctx<'_>, user: &User, id: i64, w: &JobWrite) -> ActionResult<()> {
    let mut tx = cx.db.begin().await?;
    check_refs(&mut tx, user.team_id, w).await?;
    let before = jobs::update(&mut tx, user.team_id, id, w, user.id)
        .await?
        .ok_or(ActionError::NotFound)?;
    if before != w.status {
        let hot_dm = w.decision_maker_id.filter(|_| w.status == JobStatus::Open);
        let mut touched: Vec<(ContactKind, i64)> = jobs::candidate_ids(&mut tx, user.team_id, id)
            .await?
            .into_iter()
            .map(|c| (ContactKind::Candidate, c))
            .collect();
        touched.extend(hot_dm.map(|dm| (ContactKind::DecisionMaker, dm)));
        // every lock first: warming the DM up locks their owner's list stamp
        let locks = engine::lock_contacts(&mut tx, &touched).await?;
        if let Some(dm) = hot_dm {
            jobs::warm_up_dm(&mut tx, user.team_id, dm).await?;
        }
        for lock in &locks {
            engine::refresh_contact(&mut tx, user.team_id, lock, (cx.now, user.tz())).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Puts a candidate in a job's pipeline; a second add is a clear conflict, not a duplicate.
pub async fn add_candidate(
    cx: &Ctx<'_>,
    user: &User,
    job_id: i64,
    candidate_id: i64,
    stage: Option<Stage>,
) -> ActionResult<i64> {
    let mut tx = cx.db.begin().await?;
    if jobs::find(&mut *tx, user.team_id, job_id).await?.is_none() {
        return Err(ActionError::NotFound);
    }
    let candidate =
        contacts::find(&mut *tx, user.team_id, ContactKind::Candidate, candidate_id).await?;
    if candidate.is_none_or(|c| c.archived_at.is_some()) {
        return Err(ActionError::NotFound);
    }
    let stage = stage.unwrap_or(Stage::Sourced);
    let id = match applications::insert(&mut tx, user.team_id, job_id, candidate_id, stage, user.id)
        .await
    {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e, "applications_job_candidate_key") => {
            return Err(ActionError::Conflict(
                "This candidate is already in this job's pipeline.".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let lock = engine::lock_contact(&mut tx, ContactKind::Candidate, candidate_id).await?;
    engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    tx.commit().await?;
    Ok(id)
}

/// What a move did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveResult {
    pub candidate_id: i64,
    pub from: Stage,
    pub to: Stage,
    pub version: i32,
}

/// Moves an application to `to` if it is still at `expected_version` (a stale move is refused with
/// the current stage, never applied silently); a loss after presented makes a sign-off call due.
/// One transaction, one commit; the candidate's due state is recomputed only when the move can
/// change it (see [`Stage::changes_due_state`]).
pub async fn move_application(
    cx: &Ctx<'_>,
    user: &User,
    id: i64,
    to: Stage,
    expected_version: Option<i32>,
) -> ActionResult<MoveResult> {
    let mut conn = cx.hot.get().await?;
    let mut tx = crate::db::begin_write(&mut conn).await?;
    let moved =
        applications::move_stage(&mut tx, user.team_id, id, to, expected_version, user.id).await?;
    let (candidate_id, from, version) = match moved {
        Moved::NotFound => return Err(ActionError::NotFound),
        Moved::Stale {
            candidate_name,
            stage,
            ..
        } => return Err(stale(&candidate_name, stage)),
        Moved::Unchanged {
            candidate_id,
            version,
        } => (candidate_id, to, version),
        Moved::Done {
            candidate_id,
            from,
            version,
        } => (candidate_id, from, version),
    };
    if Stage::changes_due_state(from, to) {
        // (after the application's row lock: no writer of a contact waits for an application)
        let lock = engine::lock_contact(&mut tx, ContactKind::Candidate, candidate_id).await?;
        engine::refresh_contact(&mut tx, user.team_id, &lock, (cx.now, user.tz())).await?;
    }
    tx.commit().await?;
    conn.done();
    Ok(MoveResult {
        candidate_id,
        from,
        to,
        version,
    })
}

fn stale(candidate_name: &str, stage: Stage) -> ActionError {
    let label = stage.label();
    ActionError::Conflict(format!(
        "Someone moved {candidate_name} to {label} meanwhile; the board now shows where it is. Move it again if you still want to."
    ))
}
