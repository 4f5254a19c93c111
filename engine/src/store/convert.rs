//! Rows to domain values, at the edge of the persistence module.

use std::str::FromStr;

use chrono_tz::Tz;

use super::entity::{checklist_marks, districts, organizations, project_events, projects, stage_plans, users};
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::model::{
    ChecklistMark, District, EventDetails, EventKind, Organization, OrganizationKind, Project, ProjectEvent,
    ProjectStatus, StagePlan, User,
};

impl TryFrom<districts::Model> for District {
    type Error = Error;
    fn try_from(row: districts::Model) -> Result<Self> {
        let time_zone = Tz::from_str(&row.time_zone).map_err(|_| {
            Error::Internal(format!(
                "district {} has an unknown time zone {:?}",
                row.id, row.time_zone
            ))
        })?;
        Ok(District {
            id: row.id,
            name: row.name,
            time_zone,
            region_code: row.region_code,
            created_at: row.created_at,
        })
    }
}

impl TryFrom<organizations::Model> for Organization {
    type Error = Error;
    fn try_from(row: organizations::Model) -> Result<Self> {
        let kind = OrganizationKind::parse(&row.kind)
            .ok_or_else(|| Error::Internal(format!("organization {} has an unknown kind {:?}", row.id, row.kind)))?;
        Ok(Organization {
            id: row.id,
            district_id: row.district_id,
            name: row.name,
            kind,
            email: row.email,
            phone: row.phone,
            created_at: row.created_at,
            archived_at: row.archived_at,
        })
    }
}

impl TryFrom<users::Model> for User {
    type Error = Error;
    fn try_from(row: users::Model) -> Result<Self> {
        let role = Role::parse(&row.role)
            .ok_or_else(|| Error::Internal(format!("user {} has an unknown role {:?}", row.id, row.role)))?;
        Ok(User {
            id: row.id,
            email: row.email,
            full_name: row.full_name,
            role,
            district_id: row.district_id,
            organization_id: row.organization_id,
            active: row.active,
            password_set: row.password_hash.is_some(),
            created_at: row.created_at,
        })
    }
}

/// A project row and its participants.
/// A project from its row and its participants (organization, part).
pub(crate) fn project(row: projects::Model, participants: Vec<(i64, Option<String>)>) -> Result<Project> {
    let parts = participants
        .iter()
        .filter_map(|(org, part)| part.clone().map(|p| (*org, p)))
        .collect();
    let participants = participants.into_iter().map(|(org, _)| org).collect();
    let indicator_targets = serde_json::from_str(&row.indicator_targets)
        .map_err(|e| Error::Internal(format!("project {} has unreadable indicator targets: {e}", row.id)))?;
    Ok(Project {
        id: row.id,
        workflow_version_id: row.workflow_version_id,
        district_id: row.district_id,
        title: row.title,
        start_date: row.start_date,
        current_stage: row.current_stage,
        status: ProjectStatus::parse(&row.status)?,
        row_version: row.row_version,
        indicator_targets,
        participants,
        parts,
        responsible_id: row.responsible_id,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        closed_at: row.closed_at,
    })
}

impl From<stage_plans::Model> for StagePlan {
    fn from(row: stage_plans::Model) -> Self {
        StagePlan {
            stage_key: row.stage_key,
            position: row.position,
            baseline_due: row.baseline_due,
            current_due: row.current_due,
            due_fixed: row.due_fixed,
            entered_at: row.entered_at,
            completed_at: row.completed_at,
            responsible_id: row.responsible_id,
        }
    }
}

impl From<checklist_marks::Model> for ChecklistMark {
    fn from(row: checklist_marks::Model) -> Self {
        ChecklistMark {
            stage_key: row.stage_key,
            item_key: row.item_key,
            done: row.done,
            marked_by: row.marked_by,
            marked_at: row.marked_at,
            comment: row.comment,
            responsible_id: row.responsible_id,
        }
    }
}

impl TryFrom<project_events::Model> for ProjectEvent {
    type Error = Error;
    fn try_from(row: project_events::Model) -> Result<Self> {
        let kind = EventKind::parse(&row.kind)?;
        let details = EventDetails::parse(kind, row.details.as_deref())
            .map_err(|e| Error::Internal(format!("event {}: {e}", row.id)))?;
        Ok(ProjectEvent {
            id: row.id,
            project_id: row.project_id,
            at: row.at,
            actor_id: row.actor_id,
            kind,
            from_stage: row.from_stage,
            to_stage: row.to_stage,
            stage_key: row.stage_key,
            comment: row.comment,
            details,
        })
    }
}

/// A stored report with its earlier revisions.
pub(crate) fn report(
    row: crate::store::entity::indicator_reports::Model,
    earlier: Vec<crate::model::ReportRevision>,
) -> crate::model::IndicatorReport {
    crate::model::IndicatorReport {
        id: row.id,
        project_id: row.project_id,
        organization_id: row.organization_id,
        indicator_key: row.indicator_key,
        period: row.period,
        value: row.value,
        comment: row.comment,
        reported_by: row.reported_by,
        reported_at: row.reported_at,
        revision: row.revision,
        earlier,
    }
}
