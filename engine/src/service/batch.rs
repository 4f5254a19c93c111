//! The batch every many-project read starts from: these projects with their participants,
//! stage plans, workflow versions and districts (and, for those who count working days, the
//! districts' calendars), in a fixed number of statements whatever their number. The dashboard, health and progress, tasks and the
//! reminder planner load it the same way; what only some of them need (reports, organization
//! names, checklists) they load beside it.

use std::collections::HashMap;

use super::{Engine, unique_ids};
use crate::calendar::Calendar;
use crate::error::Result;
use crate::model::{District, Project, StagePlan, WorkflowVersion};
use crate::store::convert;
use crate::store::entity::projects;

pub(crate) struct Batch {
    pub projects: Vec<Project>,
    plans: HashMap<i64, Vec<StagePlan>>,
    versions: HashMap<i64, WorkflowVersion>,
    districts: HashMap<i64, District>,
    calendars: HashMap<i64, Calendar>,
    federal: Calendar,
}

impl Batch {
    pub fn ids(&self) -> Vec<i64> {
        self.projects.iter().map(|p| p.id).collect()
    }

    /// The organizations taking part in any of the projects.
    pub fn participant_ids(&self) -> Vec<i64> {
        unique_ids(self.projects.iter().flat_map(|p| p.participants.iter().copied()))
    }

    /// A project's stage plans in stage order (none for a project without them).
    pub fn plans(&self, project_id: i64) -> &[StagePlan] {
        self.plans.get(&project_id).map_or(&[][..], Vec::as_slice)
    }

    pub fn version(&self, project: &Project) -> Option<&WorkflowVersion> {
        self.versions.get(&project.workflow_version_id)
    }

    /// Whether a project runs a workflow with tasks (items with their own dates).
    pub fn has_tasks(&self, project: &Project) -> bool {
        self.version(project).is_some_and(|v| v.definition.has_tasks())
    }

    pub fn district(&self, project: &Project) -> Option<&District> {
        self.districts.get(&project.district_id)
    }

    /// The calendar of a project's district (the federal one when the district is unknown or
    /// the calendars were not loaded: see [`Engine::with_calendars`]).
    pub fn calendar(&self, project: &Project) -> &Calendar {
        self.calendars.get(&project.district_id).unwrap_or(&self.federal)
    }
}

impl Engine {
    /// The batch of stored project rows: participants, plans, versions, districts, calendars.
    pub(crate) async fn load_batch(&self, rows: Vec<projects::Model>) -> Result<Batch> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut participants = crate::store::repo::participants_of(self.db(), &ids).await?;
        let projects = rows
            .into_iter()
            .map(|row| {
                let p = participants.remove(&row.id).unwrap_or_default();
                convert::project(row, p)
            })
            .collect::<Result<Vec<_>>>()?;
        self.batch_of(projects).await
    }

    /// The batch of projects already read (with their participants).
    pub(crate) async fn batch_of(&self, projects: Vec<Project>) -> Result<Batch> {
        let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
        let plans = crate::store::repo::stage_plans_of(self.db(), &ids).await?;
        let versions = self
            .workflow_versions_by_ids(&unique_ids(projects.iter().map(|p| p.workflow_version_id)))
            .await?;
        let districts =
            crate::store::repo::districts_by_ids(self.db(), &unique_ids(projects.iter().map(|p| p.district_id)))
                .await?;
        Ok(Batch {
            projects,
            plans,
            versions,
            districts,
            calendars: HashMap::new(),
            federal: Calendar::federal(),
        })
    }

    /// The ticks and named people of the batch's projects whose workflows have tasks (items
    /// with their own dates); none read for the others.
    pub(crate) async fn task_states(&self, batch: &Batch) -> Result<HashMap<i64, crate::schedule::TaskStates>> {
        let ids: Vec<i64> = batch
            .projects
            .iter()
            .filter(|p| batch.has_tasks(p))
            .map(|p| p.id)
            .collect();
        crate::store::repo::task_states_of(self.db(), &ids).await
    }

    /// The batch with its districts' calendars (regions and entered days): one more statement.
    pub(crate) async fn with_calendars(&self, mut batch: Batch) -> Result<Batch> {
        batch.calendars = self
            .calendars_of(&batch.districts.values().cloned().collect::<Vec<_>>())
            .await?;
        Ok(batch)
    }
}
