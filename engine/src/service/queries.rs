//! Reading many projects at once: the filtered, paged list, and batch loads of what a page
//! shows (stage plans, checklists, history, organizations, districts, workflow versions), so
//! a page costs a fixed number of statements whatever its size. The public batch reads take
//! the caller and keep to what the policy lets them read ([`crate::access`]); the unscoped
//! loads under them are the engine's own.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::page::{self, Cursor, Key, ListOrder, Page, PageRequest};
use super::{Engine, unique_ids};
use crate::access::{Operation, Target};
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::model::{
    ChecklistMark, District, Organization, Project, ProjectEvent, ProjectStatus, StagePlan, WorkflowVersion,
};
use crate::store::convert;
use crate::store::entity::{
    districts, project_events, project_participants, projects, stage_plans, users, workflow_versions,
};

/// What a page of projects shows beside the projects themselves, loaded for the whole page in
/// five statements: see [`Engine::project_batch`].
#[derive(Debug, Clone, Default)]
pub struct ProjectBatch {
    pub workflows: HashMap<i64, WorkflowVersion>,
    pub districts: HashMap<i64, District>,
    pub organizations: HashMap<i64, Organization>,
    pub stages: HashMap<i64, Vec<StagePlan>>,
    pub checklists: HashMap<i64, Vec<ChecklistMark>>,
}

/// The largest page of projects.
pub const MAX_PAGE: u64 = 100;

/// Which projects to list. Every field narrows the list; `None` does not filter.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub district_id: Option<i64>,
    pub workflow_key: Option<String>,
    /// The key of a stage under way (any branch of it, while parallel branches run).
    pub stage: Option<String>,
    pub status: Option<ProjectStatus>,
    /// `true`: active projects whose current stage is past its due date (in each district's
    /// time zone); `false`: all others.
    pub overdue: Option<bool>,
    /// Projects this organization takes part in.
    pub organization_id: Option<i64>,
    /// Projects with this traffic light (computed, see [`crate::health`]).
    pub health: Option<crate::health::Health>,
    /// «Мои проекты»: projects this person is responsible for, as a whole or for a stage
    /// not yet passed.
    pub responsible_id: Option<i64>,
    /// Words the title contains, in any case («чесменская» finds «МОУ «Чесменская СОШ № 1»»).
    pub search: Option<String>,
}

/// The order of the project list.
///
/// Newest first and by title are keyset orders over stored columns (the folded title, then
/// the id). By due date and by lateness are computed — the nearest date of the stages under
/// way, the traffic light — so the candidates' keys are worked out in memory, as for the
/// health filter, and the page's rows read after; a cursor carries the keys of its order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProjectOrder {
    /// Newest first (by id, descending).
    #[default]
    Newest,
    /// By title, in alphabetical order (case and «ё» folded).
    Title,
    /// By the nearest due date of the stages under way: overdue first, then the soonest;
    /// projects with no dated stage under way (finished, cancelled) last.
    Due,
    /// By the traffic light, red first, then amber, green, unknown; within a light, by due
    /// date as [`ProjectOrder::Due`].
    Lateness,
}

/// The key of "no due date" in a cursor: after every date.
const NO_DUE: &str = "~";

/// One page of projects, newest first.
#[derive(Debug, Clone)]
pub struct ProjectPage {
    pub items: Vec<Project>,
    pub has_next_page: bool,
    /// How many projects match the filter in all.
    pub total_count: u64,
}

/// A project's place in the list (newest first): its id.
pub fn project_cursor(id: i64) -> Cursor {
    Cursor(vec![Key::Int(id)])
}

fn participants_of_org(organization_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(project_participants::Column::ProjectId)
        .from(project_participants::Entity)
        .and_where(Expr::col(project_participants::Column::OrganizationId).eq(organization_id))
        .to_owned()
}

impl Engine {
    /// The projects the caller may read that match `filter`: `first` of them (at most
    /// [`MAX_PAGE`]) after the project `after` in the order newest first.
    pub async fn list_projects(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
        first: u64,
        after: Option<i64>,
    ) -> Result<ProjectPage> {
        let request = PageRequest::first(first, after.map(project_cursor));
        let page = self.project_page(actor, filter, ProjectOrder::Newest, &request).await?;
        Ok(ProjectPage {
            has_next_page: page.has_next_page,
            total_count: page.total_count,
            items: page.items.into_iter().map(|(_, p)| p).collect(),
        })
    }

    /// A page of the projects the caller may read that match `filter`, in `order` (at most
    /// [`MAX_PAGE`]), forward or backward: see [`super::page`]. The cursors are those of the
    /// order: see [`ProjectOrder`].
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn project_page(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
        order: ProjectOrder,
        request: &PageRequest,
    ) -> Result<Page<Project>> {
        // Scope: what the caller may read at all.
        let mut condition = Condition::all().add(actor.scope().projects(Operation::ReadProject));
        if let Some(d) = filter.district_id {
            condition = condition.add(projects::Column::DistrictId.eq(d));
        }
        if let Some(key) = &filter.workflow_key {
            condition = condition.add(
                projects::Column::WorkflowVersionId.in_subquery(
                    Query::select()
                        .column(workflow_versions::Column::Id)
                        .from(workflow_versions::Entity)
                        .and_where(Expr::col(workflow_versions::Column::Key).eq(key.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(stage) = &filter.stage {
            let under_way = Query::select()
                .column(stage_plans::Column::ProjectId)
                .from(stage_plans::Entity)
                .and_where(Expr::col(stage_plans::Column::StageKey).eq(stage.as_str()))
                .and_where(Expr::col(stage_plans::Column::EnteredAt).is_not_null())
                .and_where(Expr::col(stage_plans::Column::CompletedAt).is_null())
                .to_owned();
            condition = condition.add(
                Condition::any()
                    .add(projects::Column::CurrentStage.eq(stage.as_str()))
                    .add(projects::Column::Id.in_subquery(under_way)),
            );
        }
        if let Some(words) = filter.search.as_deref() {
            // Every word, anywhere in the folded title.
            condition = condition.add(crate::text::contains_words(
                (projects::Entity, projects::Column::SearchText),
                words,
            ));
        }
        if let Some(person) = filter.responsible_id {
            let named_for_a_stage = Query::select()
                .column(stage_plans::Column::ProjectId)
                .from(stage_plans::Entity)
                .and_where(Expr::col(stage_plans::Column::ResponsibleId).eq(person))
                .and_where(Expr::col(stage_plans::Column::CompletedAt).is_null())
                .to_owned();
            condition = condition.add(
                Condition::any()
                    .add(projects::Column::ResponsibleId.eq(person))
                    .add(projects::Column::Id.in_subquery(named_for_a_stage)),
            );
        }
        if let Some(status) = filter.status {
            condition = condition.add(projects::Column::Status.eq(status.as_str()));
        }
        if let Some(org) = filter.organization_id {
            condition = condition.add(projects::Column::Id.in_subquery(participants_of_org(org)));
        }
        if let Some(overdue) = filter.overdue {
            let is_overdue = self.overdue_condition().await?;
            condition = condition.add(if overdue { is_overdue } else { is_overdue.not() });
        }
        let select = projects::Entity::find().filter(condition);
        let page = match (order, filter.health) {
            (ProjectOrder::Newest, None) => {
                let order = ListOrder {
                    columns: vec![projects::Column::Id],
                    descending: true,
                };
                page::fetch(&self.db, select, &order, request, MAX_PAGE, |r| project_cursor(r.id)).await?
            }
            (ProjectOrder::Title, None) => {
                let order = ListOrder {
                    columns: vec![projects::Column::SearchText, projects::Column::Id],
                    descending: false,
                };
                page::fetch(&self.db, select, &order, request, MAX_PAGE, |r| {
                    Cursor(vec![Key::Text(r.search_text.clone()), Key::Int(r.id)])
                })
                .await?
            }
            // Health and due dates are computed from the plans and the reports, not stored:
            // order (and filter) the candidates in memory (a district's projects number in the
            // hundreds), then read the page's rows.
            (order, wanted) => {
                let candidates = select.order_by_desc(projects::Column::Id).all(&self.db).await?;
                let ids: Vec<i64> = candidates.iter().map(|r| r.id).collect();
                let healths = if wanted.is_some() || order == ProjectOrder::Lateness {
                    self.health_of(actor, &ids).await?
                } else {
                    HashMap::new()
                };
                let dues = if matches!(order, ProjectOrder::Due | ProjectOrder::Lateness) {
                    self.nearest_dues(&ids).await?
                } else {
                    HashMap::new()
                };
                let due_key = |id: i64| {
                    Key::Text(
                        dues.get(&id)
                            .map_or_else(|| NO_DUE.to_string(), |d| d.format("%Y-%m-%d").to_string()),
                    )
                };
                let light = |id: i64| healths.get(&id).map(|(h, _)| h.health);
                let cursor_of = |r: &projects::Model| match order {
                    ProjectOrder::Newest => project_cursor(r.id),
                    ProjectOrder::Title => Cursor(vec![Key::Text(r.search_text.clone()), Key::Int(r.id)]),
                    ProjectOrder::Due => Cursor(vec![due_key(r.id), Key::Int(r.id)]),
                    ProjectOrder::Lateness => Cursor(vec![
                        Key::Int(light(r.id).map_or(3, lateness_rank)),
                        due_key(r.id),
                        Key::Int(r.id),
                    ]),
                };
                let mut matching: Vec<(Cursor, projects::Model)> = candidates
                    .into_iter()
                    .filter(|r| wanted.is_none() || light(r.id) == wanted)
                    .map(|r| (cursor_of(&r), r))
                    .collect();
                let descending = order == ProjectOrder::Newest;
                matching.sort_by(|(a, _), (b, _)| if descending { b.cmp(a) } else { a.cmp(b) });
                page::in_memory(matching, descending, request, MAX_PAGE, |(c, _)| c.clone()).try_map(|(_, r)| Ok(r))?
            }
        };
        let ids: Vec<i64> = page.values().map(|r| r.id).collect();
        let mut participants = crate::store::repo::participants_of(self.db(), &ids).await?;
        page.try_map(|row| {
            let p = participants.remove(&row.id).unwrap_or_default();
            convert::project(row, p)
        })
    }

    /// The workflow versions, districts, participants, stage plans and checklists of
    /// projects the caller read (from [`Engine::list_projects`] or [`Engine::project`]): what
    /// a page of projects shows, in five statements. Projects the caller may not read are
    /// left out.
    pub async fn project_batch(&self, actor: &Actor, projects: &[Project]) -> Result<ProjectBatch> {
        let scope = actor.scope();
        let readable: Vec<&Project> = projects
            .iter()
            .filter(|p| {
                scope.may(
                    Operation::ReadProject,
                    Target::Project {
                        district: p.district_id,
                        participants: &p.participants,
                    },
                )
            })
            .collect();
        let ids: Vec<i64> = readable.iter().map(|p| p.id).collect();
        let version_ids = unique_ids(readable.iter().map(|p| p.workflow_version_id));
        let district_ids = unique_ids(readable.iter().map(|p| p.district_id));
        let organization_ids = unique_ids(readable.iter().flat_map(|p| p.participants.iter().copied()));
        let (workflows, districts, organizations, stages, checklists) = tokio::try_join!(
            self.workflow_versions_by_ids(&version_ids),
            crate::store::repo::districts_by_ids(self.db(), &district_ids),
            crate::store::repo::organizations_by_ids(self.db(), &organization_ids),
            crate::store::repo::stage_plans_of(self.db(), &ids),
            crate::store::repo::checklists_of(self.db(), &ids),
        )?;
        Ok(ProjectBatch {
            workflows,
            districts,
            organizations,
            stages,
            checklists,
        })
    }

    /// The nearest current due date of the stages under way of each of `ids` that has one.
    async fn nearest_dues(&self, ids: &[i64]) -> Result<HashMap<i64, chrono::NaiveDate>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(super::IN_CHUNK) {
            let rows: Vec<(i64, Option<chrono::NaiveDate>)> = stage_plans::Entity::find()
                .select_only()
                .column(stage_plans::Column::ProjectId)
                .column_as(stage_plans::Column::CurrentDue.min(), "due")
                .filter(stage_plans::Column::ProjectId.is_in(chunk.to_vec()))
                .filter(stage_plans::Column::EnteredAt.is_not_null())
                .filter(stage_plans::Column::CompletedAt.is_null())
                .group_by(stage_plans::Column::ProjectId)
                .into_tuple()
                .all(&self.db)
                .await?;
            out.extend(rows.into_iter().filter_map(|(id, due)| due.map(|d| (id, d))));
        }
        Ok(out)
    }

    /// The ids among `ids` of the projects the caller may read: one statement.
    async fn readable_ids(&self, actor: &Actor, ids: &[i64]) -> Result<Vec<i64>> {
        let scope = actor.scope();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(super::IN_CHUNK) {
            out.extend(
                projects::Entity::find()
                    .select_only()
                    .column(projects::Column::Id)
                    .filter(projects::Column::Id.is_in(chunk.to_vec()))
                    .filter(scope.projects(Operation::ReadProject))
                    .into_tuple::<i64>()
                    .all(&self.db)
                    .await?,
            );
        }
        Ok(out)
    }

    /// Stage plans of the projects among `ids` the caller may read, in stage order.
    pub async fn stage_plans(&self, actor: &Actor, ids: &[i64]) -> Result<HashMap<i64, Vec<StagePlan>>> {
        crate::store::repo::stage_plans_of(self.db(), &self.readable_ids(actor, ids).await?).await
    }

    /// Checklist marks of the projects among `ids` the caller may read.
    pub async fn checklists(&self, actor: &Actor, ids: &[i64]) -> Result<HashMap<i64, Vec<ChecklistMark>>> {
        crate::store::repo::checklists_of(self.db(), &self.readable_ids(actor, ids).await?).await
    }

    /// History of the projects among `ids` the caller may read, oldest first.
    pub async fn histories(&self, actor: &Actor, ids: &[i64]) -> Result<HashMap<i64, Vec<ProjectEvent>>> {
        crate::store::repo::histories_of(self.db(), &self.readable_ids(actor, ids).await?).await
    }

    /// The organizations among `ids` the caller may read.
    pub async fn organizations_by_id(&self, actor: &Actor, ids: &[i64]) -> Result<HashMap<i64, Organization>> {
        let scope = actor.scope();
        let mut found = crate::store::repo::organizations_by_ids(self.db(), ids).await?;
        found.retain(|_, o| {
            scope.may(
                Operation::ReadDirectory,
                Target::Organization {
                    district: o.district_id,
                    organization: o.id,
                },
            )
        });
        Ok(found)
    }

    /// The districts among `ids` the caller may read.
    pub async fn districts_by_id(&self, actor: &Actor, ids: &[i64]) -> Result<HashMap<i64, District>> {
        let scope = actor.scope();
        let mut found = crate::store::repo::districts_by_ids(self.db(), ids).await?;
        found.retain(|_, d| scope.may(Operation::ReadDirectory, Target::District(d.id)));
        Ok(found)
    }

    /// "Active, and the current stage's due date is before today" — today differs by time
    /// zone, so one clause per time zone in use.
    async fn overdue_condition(&self) -> Result<Condition> {
        let mut by_zone: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for d in districts::Entity::find().all(&self.db).await? {
            by_zone.entry(d.time_zone).or_default().push(d.id);
        }
        let mut any = Condition::any();
        for (zone, ids) in by_zone {
            let tz: chrono_tz::Tz = zone
                .parse()
                .map_err(|_| Error::Internal(format!("unknown time zone {zone:?}")))?;
            let today = self.today_in(tz);
            let late_stage = Query::select()
                .expr(Expr::val(1))
                .from(stage_plans::Entity)
                .and_where(
                    Expr::col((stage_plans::Entity, stage_plans::Column::ProjectId))
                        .equals((projects::Entity, projects::Column::Id)),
                )
                .and_where(
                    Expr::col((stage_plans::Entity, stage_plans::Column::StageKey))
                        .equals((projects::Entity, projects::Column::CurrentStage)),
                )
                .and_where(Expr::col((stage_plans::Entity, stage_plans::Column::CurrentDue)).lt(today))
                .to_owned();
            any = any.add(
                Condition::all()
                    .add(projects::Column::DistrictId.is_in(ids))
                    .add(Expr::exists(late_stage)),
            );
        }
        Ok(Condition::all()
            .add(projects::Column::Status.eq(ProjectStatus::Active.as_str()))
            .add(any))
    }

    /// Workflow versions by id (definitions are parsed once per process).
    pub async fn workflow_versions_by_ids(&self, ids: &[i64]) -> Result<HashMap<i64, WorkflowVersion>> {
        let rows = workflow_versions::Entity::find()
            .filter(workflow_versions::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|r| self.version_from_row(r).map(|v| (v.id, v)))
            .collect()
    }

    /// Full names of users by id (the people in a project's history and its reports): names
    /// are not kept from anyone signed in to the office, so this does not check scope.
    pub async fn user_names_by_ids(&self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        let rows = users::Entity::find()
            .filter(users::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|u| (u.id, u.full_name)).collect())
    }

    /// History entries newer than `after_id` of the projects the caller may read, optionally
    /// in one district, oldest first (at most 200 at a time).
    pub async fn project_events_after(
        &self,
        actor: &Actor,
        district_id: Option<i64>,
        after_id: i64,
    ) -> Result<Vec<ProjectEvent>> {
        let mut projects_in_scope = actor.scope().project_ids(Operation::ReadProject);
        if let Some(d) = district_id {
            projects_in_scope.and_where(Expr::col(projects::Column::DistrictId).eq(d));
        }
        let rows = project_events::Entity::find()
            .filter(project_events::Column::Id.gt(after_id))
            .filter(project_events::Column::ProjectId.in_subquery(projects_in_scope))
            .order_by_asc(project_events::Column::Id)
            .limit(200)
            .all(&self.db)
            .await?;
        rows.into_iter().map(ProjectEvent::try_from).collect()
    }

    /// The id of the newest history entry (0 when there is none): where a subscription starts.
    pub async fn latest_event_id(&self) -> Result<i64> {
        let row = project_events::Entity::find()
            .order_by_desc(project_events::Column::Id)
            .one(&self.db)
            .await?;
        Ok(row.map_or(0, |r| r.id))
    }
}

impl Engine {
    /// Active projects whose current stage the caller's role owns — for a director, of the
    /// projects their organization takes part in; for a coordinator, in their district — the
    /// earliest due date first (stages without one last). At most 200.
    pub async fn my_tasks(&self, actor: &Actor) -> Result<Vec<Project>> {
        let scope = actor.scope();
        if !scope.may_somewhere(Operation::HaveTasks) {
            return Ok(Vec::new());
        }
        let filter = ProjectFilter {
            status: Some(ProjectStatus::Active),
            ..Default::default()
        };
        let mut candidates = Vec::new();
        let mut after = None;
        loop {
            let page = self.list_projects(actor, &filter, MAX_PAGE, after).await?;
            after = page.items.last().map(|p| p.id);
            candidates.extend(page.items);
            if !page.has_next_page || candidates.len() >= 2000 {
                break;
            }
        }
        let batch = self.batch_of(candidates).await?;
        // A task is a stage under way that the caller owns; a project with parallel branches
        // may give several, and it is listed once, by its earliest such due date.
        let mut tasks: Vec<(Option<chrono::NaiveDate>, Project)> = batch
            .projects
            .iter()
            .filter_map(|p| {
                let definition = &batch.version(p)?.definition;
                let target = Target::Project {
                    district: p.district_id,
                    participants: &p.participants,
                };
                let mine: Vec<Option<chrono::NaiveDate>> = batch
                    .plans(p.id)
                    .iter()
                    .filter(|s| s.is_current())
                    .filter(|s| {
                        definition
                            .stage(&s.stage_key)
                            .is_some_and(|stage| scope.named(Operation::HaveTasks, target, &stage.owners))
                    })
                    .map(|s| s.current_due)
                    .collect();
                if mine.is_empty() {
                    return None;
                }
                let due = mine.iter().flatten().min().copied();
                Some((due, p.clone()))
            })
            .collect();
        tasks.sort_by_key(|(due, p)| (due.is_none(), *due, p.id));
        Ok(tasks.into_iter().take(200).map(|(_, p)| p).collect())
    }
}

/// Where a light comes in the order by lateness: red first.
fn lateness_rank(health: crate::health::Health) -> i64 {
    use crate::health::Health;
    match health {
        Health::Red => 0,
        Health::Amber => 1,
        Health::Green => 2,
        Health::Unknown => 3,
    }
}
