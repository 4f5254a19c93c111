//! Writing the generated rows: multi-row `INSERT`s in chunks, one transaction per batch.
//!
//! A chunk stays under 30,000 bind parameters, below both SQLite's limit (32,766) and
//! PostgreSQL's (65,535), so the same code serves both. Rows other rows point at (districts,
//! organizations, users, projects, reports) carry ids chosen by the generator, counted on
//! from each table's largest id; the rest get theirs from the database. On PostgreSQL the
//! identity sequences are then moved past the ids written, so the services' own inserts go
//! on from there (SQLite's `AUTOINCREMENT` follows explicit ids by itself), and the tables
//! are analyzed so the planner knows their new size.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Iterable, QuerySelect,
    TransactionTrait,
};

use super::DemoCounts;
use crate::error::Result;
use crate::store::entity::{
    checklist_marks, districts, indicator_report_revisions, indicator_reports, organizations, project_events,
    project_participants, projects, stage_plans, users,
};

/// Bind parameters per statement, under SQLite's and PostgreSQL's limits.
const MAX_PARAMETERS: usize = 30_000;

/// The next id of each table whose ids the generator chooses.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ids {
    pub district: i64,
    pub organization: i64,
    pub user: i64,
    pub project: i64,
    pub report: i64,
}

impl Ids {
    /// Takes the next id of a counter.
    pub fn take(counter: &mut i64) -> i64 {
        let id = *counter;
        *counter += 1;
        id
    }
}

/// Rows to write together, in foreign-key order.
#[derive(Default)]
pub(super) struct Batch {
    pub districts: Vec<districts::ActiveModel>,
    pub organizations: Vec<organizations::ActiveModel>,
    pub users: Vec<users::ActiveModel>,
    pub projects: Vec<projects::ActiveModel>,
    pub participants: Vec<project_participants::ActiveModel>,
    pub stage_plans: Vec<stage_plans::ActiveModel>,
    pub checklist_marks: Vec<checklist_marks::ActiveModel>,
    pub events: Vec<project_events::ActiveModel>,
    pub reports: Vec<indicator_reports::ActiveModel>,
    pub revisions: Vec<indicator_report_revisions::ActiveModel>,
}

impl Batch {
    pub fn counts(&self) -> DemoCounts {
        let n = |len: usize| len as u64;
        DemoCounts {
            districts: n(self.districts.len()),
            organizations: n(self.organizations.len()),
            users: n(self.users.len()),
            projects: n(self.projects.len()),
            participants: n(self.participants.len()),
            stage_plans: n(self.stage_plans.len()),
            checklist_marks: n(self.checklist_marks.len()),
            events: n(self.events.len()),
            indicator_reports: n(self.reports.len()),
            report_revisions: n(self.revisions.len()),
            skipped_projects: 0,
        }
    }
}

/// The ids to start from: one past each table's largest.
pub(super) async fn next_ids(db: &DatabaseConnection) -> Result<Ids> {
    Ok(Ids {
        district: max_id::<districts::Entity>(db, districts::Column::Id).await? + 1,
        organization: max_id::<organizations::Entity>(db, organizations::Column::Id).await? + 1,
        user: max_id::<users::Entity>(db, users::Column::Id).await? + 1,
        project: max_id::<projects::Entity>(db, projects::Column::Id).await? + 1,
        report: max_id::<indicator_reports::Entity>(db, indicator_reports::Column::Id).await? + 1,
    })
}

async fn max_id<E: EntityTrait>(db: &DatabaseConnection, column: E::Column) -> Result<i64>
where
    E::Column: ColumnTrait,
{
    let max: Option<Option<i64>> = E::find()
        .select_only()
        .column_as(column.max(), "max_id")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// Writes a batch in one transaction.
pub(super) async fn insert(db: &DatabaseConnection, batch: Batch) -> Result<()> {
    let txn = db.begin().await?;
    chunks(&txn, batch.districts).await?;
    chunks(&txn, batch.organizations).await?;
    chunks(&txn, batch.users).await?;
    chunks(&txn, batch.projects).await?;
    chunks(&txn, batch.participants).await?;
    chunks(&txn, batch.stage_plans).await?;
    chunks(&txn, batch.checklist_marks).await?;
    chunks(&txn, batch.events).await?;
    chunks(&txn, batch.reports).await?;
    chunks(&txn, batch.revisions).await?;
    txn.commit().await?;
    Ok(())
}

/// `INSERT`s of as many rows as the parameter limit allows.
async fn chunks<A, C>(c: &C, rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count().max(1);
    let per_statement = (MAX_PARAMETERS / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        A::Entity::insert_many(chunk).exec_without_returning(c).await?;
    }
    Ok(())
}

/// After loading: PostgreSQL's sequences past the ids written, and fresh planner statistics.
pub(super) async fn finish(db: &DatabaseConnection) -> Result<()> {
    if crate::store::backend(db) != DbBackend::Postgres {
        return Ok(());
    }
    for table in ["districts", "organizations", "users", "projects", "indicator_reports"] {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
        .await?;
    }
    db.execute_unprepared("ANALYZE").await?;
    Ok(())
}
