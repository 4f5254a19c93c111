//! The raw side of each row: the statements the API's work needs, in the same order and
//! batches, sent with plain sqlx ([`crate::raw`]).

use std::time::Instant;

use anyhow::{Context, bail};
use chrono::Utc;

use crate::raw::{Raw, V, ints, list};
use crate::workload::ReportTarget;

/// The largest `IN (…)` list sent at once (both databases take far more binds).
pub const CHUNK: usize = 10_000;

pub async fn fetch_in(db: &Raw, sql: &str, ids: &[i64]) -> anyhow::Result<usize> {
    let mut rows = 0;
    for chunk in ids.chunks(CHUNK) {
        rows += db.fetch(&sql.replace("(?)", &list(chunk.len())), &ints(chunk)).await?;
    }
    Ok(rows)
}

pub async fn raw_planning(db: &Raw) -> anyhow::Result<()> {
    let ids = db.ids("SELECT id FROM projects WHERE status = 'active'", &[]).await?;
    db.fetch("SELECT * FROM projects WHERE status = 'active'", &[]).await?;
    fetch_in(db, "SELECT * FROM project_participants WHERE project_id IN (?)", &ids).await?;
    fetch_in(db, "SELECT * FROM stage_plans WHERE project_id IN (?)", &ids).await?;
    fetch_in(db, "SELECT * FROM indicator_reports WHERE project_id IN (?)", &ids).await?;
    db.fetch(
        "SELECT * FROM workflow_versions WHERE id IN (SELECT DISTINCT workflow_version_id FROM projects WHERE status = 'active')",
        &[],
    )
    .await?;
    db.fetch(
        "SELECT * FROM districts WHERE id IN (SELECT DISTINCT district_id FROM projects WHERE status = 'active')",
        &[],
    )
    .await?;
    db.fetch("SELECT * FROM organizations", &[]).await?;
    db.fetch(
        "SELECT * FROM users WHERE active = ? AND role IN ('coordinator', 'director')",
        &[V::B(true)],
    )
    .await?;
    Ok(())
}

pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Authentication as the server does it: the session by token hash, then its user.
pub async fn raw_session(db: &Raw, token: &str) -> anyhow::Result<()> {
    let rows = db
        .fetch(
            "SELECT * FROM sessions WHERE token_hash = ?",
            &[V::S(token_hash(token))],
        )
        .await?;
    if rows != 1 {
        bail!("raw: no session");
    }
    db.fetch(
        "SELECT * FROM users WHERE id = (SELECT user_id FROM sessions WHERE token_hash = ?)",
        &[V::S(token_hash(token))],
    )
    .await?;
    Ok(())
}

pub async fn raw_dashboard(db: &Raw, token: &str, district: i64) -> anyhow::Result<()> {
    raw_session(db, token).await?;
    db.fetch("SELECT * FROM districts WHERE id = ?", &[V::I(district)])
        .await?;
    let ids = db
        .ids(
            "SELECT id FROM projects WHERE status <> 'cancelled' AND district_id = ? ORDER BY id",
            &[V::I(district)],
        )
        .await?;
    db.fetch(
        "SELECT * FROM projects WHERE status <> 'cancelled' AND district_id = ? ORDER BY id",
        &[V::I(district)],
    )
    .await?;
    fetch_in(db, "SELECT * FROM project_participants WHERE project_id IN (?)", &ids).await?;
    fetch_in(db, "SELECT * FROM stage_plans WHERE project_id IN (?)", &ids).await?;
    fetch_in(db, "SELECT * FROM indicator_reports WHERE project_id IN (?)", &ids).await?;
    db.fetch(
        "SELECT * FROM workflow_versions WHERE id IN (SELECT DISTINCT workflow_version_id FROM projects WHERE district_id = ?)",
        &[V::I(district)],
    )
    .await?;
    db.fetch("SELECT * FROM districts WHERE id = ?", &[V::I(district)])
        .await?;
    db.fetch("SELECT * FROM organizations WHERE district_id = ?", &[V::I(district)])
        .await?;
    Ok(())
}

pub async fn raw_projects_page(db: &Raw, token: &str, district: i64) -> anyhow::Result<()> {
    raw_session(db, token).await?;
    db.fetch("SELECT count(*) FROM projects WHERE district_id = ?", &[V::I(district)])
        .await?;
    let page = "SELECT * FROM projects WHERE district_id = ? ORDER BY id DESC LIMIT 100";
    let ids = db.ids(&page.replace('*', "id"), &[V::I(district)]).await?;
    db.fetch(page, &[V::I(district)]).await?;
    fetch_in(db, "SELECT * FROM project_participants WHERE project_id IN (?)", &ids).await?;
    fetch_in(
        db,
        "SELECT * FROM workflow_versions WHERE id IN (SELECT workflow_version_id FROM projects WHERE id IN (?))",
        &ids,
    )
    .await?;
    db.fetch("SELECT * FROM districts WHERE id = ?", &[V::I(district)])
        .await?;
    fetch_in(
        db,
        "SELECT * FROM organizations WHERE id IN (SELECT organization_id FROM project_participants WHERE project_id IN (?))",
        &ids,
    )
    .await?;
    fetch_in(db, "SELECT * FROM stage_plans WHERE project_id IN (?)", &ids).await?;
    fetch_in(db, "SELECT * FROM checklist_marks WHERE project_id IN (?)", &ids).await?;
    Ok(())
}

/// What every change of a project starts with: authentication, the project and its
/// participants (the read access check), its district (today in its time zone).
pub async fn raw_access(db: &Raw, token: &str, project: i64) -> anyhow::Result<()> {
    raw_session(db, token).await?;
    db.fetch("SELECT * FROM projects WHERE id = ?", &[V::I(project)])
        .await?;
    db.fetch(
        "SELECT * FROM project_participants WHERE project_id = ?",
        &[V::I(project)],
    )
    .await?;
    db.fetch(
        "SELECT * FROM districts WHERE id = (SELECT district_id FROM projects WHERE id = ?)",
        &[V::I(project)],
    )
    .await?;
    Ok(())
}

/// The statements of `transitionProject` (authentication, the read access check, the
/// transaction, reading the project back), in the same order, as plain SQL.
pub async fn raw_transitions(db: &Raw, token: &str, project: i64, deadline: Instant) -> anyhow::Result<u64> {
    let mut done = 0;
    let (mut version, mut stage) = db
        .pairs(
            "SELECT CAST(row_version AS BIGINT), current_stage FROM projects WHERE id = ?",
            &[V::I(project)],
        )
        .await?
        .pop()
        .context("project")?;
    while Instant::now() < deadline {
        let (from, to, comment) = if stage == "monitoring" {
            (
                "monitoring",
                "methodical_help",
                Some("Дорожная карта выполнена не полностью"),
            )
        } else {
            ("methodical_help", "monitoring", None)
        };
        raw_access(db, token, project).await?;
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let locked = tx
            .exec(
                "UPDATE projects SET row_version = row_version + 1, updated_at = ? WHERE id = ? AND status = 'active' AND row_version = ?",
                &[V::T(now), V::I(project), V::I(version)],
            )
            .await?;
        if locked != 1 {
            bail!("raw transition: project {project} changed under us");
        }
        tx.fetch("SELECT * FROM projects WHERE id = ?", &[V::I(project)])
            .await?;
        if to == "monitoring" {
            tx.fetch(
                "SELECT * FROM checklist_marks WHERE project_id = ? AND stage_key = ? AND done = ?",
                &[V::I(project), V::S(from.into()), V::B(true)],
            )
            .await?;
        }
        tx.exec(
            "UPDATE stage_plans SET completed_at = ? WHERE project_id = ? AND stage_key = ?",
            &[V::T(now), V::I(project), V::S(from.into())],
        )
        .await?;
        tx.exec(
            "UPDATE stage_plans SET entered_at = ?, completed_at = NULL WHERE project_id = ? AND stage_key = ?",
            &[V::T(now), V::I(project), V::S(to.into())],
        )
        .await?;
        tx.exec(
            "UPDATE projects SET current_stage = ? WHERE id = ?",
            &[V::S(to.into()), V::I(project)],
        )
        .await?;
        tx.fetch(
            "SELECT * FROM stage_plans WHERE project_id = ? ORDER BY position",
            &[V::I(project)],
        )
        .await?;
        let mut event = vec![
            V::I(project),
            V::T(now),
            V::S("transition".into()),
            V::S(from.into()),
            V::S(to.into()),
        ];
        event.push(comment.map_or(V::S(String::new()), |c| V::S(c.into())));
        tx.exec(
            "INSERT INTO project_events (project_id, at, actor_id, kind, from_stage, to_stage, comment) \
             VALUES (?, ?, NULL, ?, ?, ?, ?)",
            &event,
        )
        .await?;
        tx.commit().await?;
        db.fetch("SELECT * FROM projects WHERE id = ?", &[V::I(project)])
            .await?;
        db.fetch(
            "SELECT * FROM project_participants WHERE project_id = ?",
            &[V::I(project)],
        )
        .await?;
        db.fetch(
            "SELECT * FROM stage_plans WHERE project_id = ? ORDER BY position",
            &[V::I(project)],
        )
        .await?;
        version += 1;
        stage = to.to_string();
        done += 1;
    }
    Ok(done)
}

/// The statements of `reportIndicator` (authentication, access and validation reads, the
/// correction's transaction, reading the report back), as plain SQL.
pub async fn raw_reports(db: &Raw, token: &str, t: ReportTarget, deadline: Instant) -> anyhow::Result<u64> {
    let mut done = 0;
    let key = [
        V::I(t.project),
        V::I(t.organization),
        V::S(t.indicator.clone()),
        V::S(t.period.clone()),
    ];
    while Instant::now() < deadline {
        raw_access(db, token, t.project).await?;
        db.fetch(
            "SELECT * FROM stage_plans WHERE project_id = ? ORDER BY position",
            &[V::I(t.project)],
        )
        .await?;
        let now = Utc::now();
        let mut tx = db.begin().await?;
        tx.exec(
            "UPDATE projects SET updated_at = ? WHERE id = ?",
            &[V::T(now), V::I(t.project)],
        )
        .await?;
        tx.fetch(
            "SELECT * FROM indicator_reports WHERE project_id = ? AND organization_id = ? AND indicator_key = ? AND period = ?",
            &key,
        )
        .await?;
        let mut vals = key.to_vec();
        tx.exec(
            "INSERT INTO indicator_report_revisions (report_id, revision, value, comment, reported_by, reported_at) \
             SELECT id, revision, value, comment, reported_by, reported_at FROM indicator_reports \
             WHERE project_id = ? AND organization_id = ? AND indicator_key = ? AND period = ?",
            &vals,
        )
        .await?;
        vals.insert(0, V::T(now));
        vals.insert(0, V::S("Уточнённые данные".into()));
        vals.insert(0, V::F(t.value));
        tx.exec(
            "UPDATE indicator_reports SET value = ?, comment = ?, reported_at = ?, revision = revision + 1 \
             WHERE project_id = ? AND organization_id = ? AND indicator_key = ? AND period = ?",
            &vals,
        )
        .await?;
        tx.commit().await?;
        db.fetch(
            "SELECT * FROM indicator_reports WHERE project_id = ? AND organization_id = ? AND indicator_key = ? AND period = ?",
            &key,
        )
        .await?;
        db.fetch(
            "SELECT * FROM indicator_report_revisions WHERE report_id IN (SELECT id FROM indicator_reports WHERE project_id = ? AND organization_id = ? AND indicator_key = ? AND period = ?)",
            &key,
        )
        .await?;
        done += 1;
    }
    Ok(done)
}
