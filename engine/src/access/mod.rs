//! Who may do what: the one table of permissions, and the checks and SQL conditions every
//! service takes from it.
//!
//! The idea is lldap's `access-control`: the caller's scope is computed once from the
//! [`Actor`] ([`Scope::of`]), and a service asks one question — may this caller do this
//! [`Operation`] on this [`Target`]? — or, for a list, takes the SQL condition of the rows the
//! caller may see ([`Scope::projects`], [`Scope::reports`]). No role is matched anywhere else
//! in the engine: roles as *data* (the roles a workflow names as a stage's owners or a
//! transition's takers) are compared here too, through [`Scope::named`].
//!
//! [`TABLE`] is the whole policy, one row per operation and one [`Reach`] per role. The
//! README renders it ([`markdown`]; a test keeps the README current), the refusal messages are
//! written from it ([`Scope::require`]), and `tests/e2e/access.rs` walks every cell over HTTP
//! on both databases against a matrix of its own, so a changed cell fails a test.

use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};

use crate::auth::{Actor, Role};
use crate::error::{Error, Result};
use crate::store::entity::{indicator_reports, organizations, project_participants, projects, users};

/// Something a person does that the policy decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// A project, its plan, checklist and history; lists of projects; the event stream.
    ReadProject,
    /// An organization's indicator values inside a project: reports, plan against fact,
    /// exports of reports.
    ReadValues,
    /// The district summary and its export.
    ReadDashboard,
    /// Districts, organizations and district calendars.
    ReadDirectory,
    /// Having the stages one's role owns as tasks.
    HaveTasks,
    /// Launching a project (and previewing the launch).
    LaunchProject,
    /// Moving a project along a transition.
    TakeTransition,
    /// Marking checklist items of a stage.
    MarkChecklist,
    /// Moving a stage's due date.
    RescheduleStage,
    /// Cancelling a project.
    CancelProject,
    /// Naming (changing, taking off) the person responsible for a project or one of its
    /// stages.
    AssignResponsible,
    /// Reporting (and correcting) an organization's indicator value.
    ReportValue,
    /// Creating districts and assigning their regions.
    ManageDistricts,
    /// Adding organizations to a district.
    ManageOrganizations,
    /// Creating, inviting and editing administrators and coordinators, and switching their
    /// accounts off and on.
    CreateStaff,
    /// Creating, inviting and editing directors and observers, and switching their accounts
    /// off and on.
    CreateDistrictUser,
    /// The list of users (name, email, role, scope, status, last sign-in) and each account's
    /// audit trail.
    ReadUsers,
    /// Entering days off and working days (a district's; the country's and a region's are
    /// [`Target::Everything`]).
    EditCalendar,
    /// Naming who stands in for a person while they are away, and ending it.
    ManageSubstitutions,
    /// Moving running projects to another version of their workflow.
    MigrateProjects,
    /// A person's personal data: exporting it, and anonymising the person (152-ФЗ).
    ManagePersonalData,
    /// Reading the outbox of emails.
    ReadOutbox,
    /// Planning and sending reminders now, by hand.
    RunReminders,
}

/// How far a role's permission for an operation reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// Not at all.
    Nowhere,
    /// The organization the caller heads: its own values, its own reports.
    OwnOrganization,
    /// The projects the caller's organization takes part in.
    OwnProjects,
    /// The caller's district; for the region's observer (one with no district), every
    /// district.
    OwnDistrict,
    /// Everything, including what belongs to no district (the country's calendar, new
    /// districts).
    Everywhere,
}

impl Reach {
    /// The reach in words, as the README and refusals say it.
    pub fn title(self) -> &'static str {
        match self {
            Reach::Nowhere => "нет",
            Reach::OwnOrganization => "за свою организацию",
            Reach::OwnProjects => "в проектах своей организации",
            Reach::OwnDistrict => "в своём районе",
            Reach::Everywhere => "везде",
        }
    }
}

/// One row of the policy.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub operation: Operation,
    /// What the operation is, as an infinitive ("запускать проекты"), for the README and the
    /// refusals.
    pub title: &'static str,
    pub admin: Reach,
    pub coordinator: Reach,
    pub director: Reach,
    pub observer: Reach,
    /// The roles whose permission holds only where the workflow names the role (among a
    /// stage's owners, a transition's takers).
    pub named: &'static [Role],
}

impl Rule {
    /// The cell of a role.
    pub fn reach(&self, role: Role) -> Reach {
        match role {
            Role::Admin => self.admin,
            Role::Coordinator => self.coordinator,
            Role::Director => self.director,
            Role::Observer => self.observer,
        }
    }
}

use Reach::{
    Everywhere as ALL, Nowhere as NO, OwnDistrict as DISTRICT, OwnOrganization as ORG, OwnProjects as PROJECTS,
};

const fn rule(operation: Operation, title: &'static str, cells: [Reach; 4], named: &'static [Role]) -> Rule {
    Rule {
        operation,
        title,
        admin: cells[0],
        coordinator: cells[1],
        director: cells[2],
        observer: cells[3],
        named,
    }
}

/// Named: coordinators and directors.
const BOTH: &[Role] = &[Role::Coordinator, Role::Director];
/// Named: directors (a coordinator marks any stage's checklist of their district).
const DIRECTOR: &[Role] = &[Role::Director];

/// The policy: administrator, coordinator, director, observer.
pub const TABLE: &[Rule] = &[
    rule(
        Operation::ReadProject,
        "видеть проекты, их планы и историю",
        [ALL, DISTRICT, PROJECTS, DISTRICT],
        &[],
    ),
    rule(
        Operation::ReadValues,
        "видеть значения показателей организаций",
        [ALL, DISTRICT, ORG, DISTRICT],
        &[],
    ),
    rule(
        Operation::ReadDashboard,
        "смотреть сводку района",
        [ALL, DISTRICT, NO, DISTRICT],
        &[],
    ),
    rule(
        Operation::ReadDirectory,
        "видеть районы, организации и календари",
        [ALL, DISTRICT, DISTRICT, DISTRICT],
        &[],
    ),
    rule(
        Operation::HaveTasks,
        "получать задачи по своим этапам",
        [NO, DISTRICT, PROJECTS, NO],
        BOTH,
    ),
    rule(
        Operation::LaunchProject,
        "запускать проекты",
        [ALL, DISTRICT, NO, NO],
        &[],
    ),
    rule(
        Operation::TakeTransition,
        "переводить проекты на следующий этап",
        [ALL, DISTRICT, PROJECTS, NO],
        BOTH,
    ),
    rule(
        Operation::MarkChecklist,
        "отмечать пункты чек-листов",
        [ALL, DISTRICT, PROJECTS, NO],
        DIRECTOR,
    ),
    rule(
        Operation::RescheduleStage,
        "переносить сроки этапов",
        [ALL, DISTRICT, NO, NO],
        &[],
    ),
    rule(
        Operation::CancelProject,
        "отменять проекты",
        [ALL, DISTRICT, NO, NO],
        &[],
    ),
    rule(
        Operation::AssignResponsible,
        "назначать ответственных за проекты и этапы",
        [ALL, DISTRICT, NO, NO],
        &[],
    ),
    rule(
        Operation::ReportValue,
        "сдавать значения показателей",
        [ALL, DISTRICT, ORG, NO],
        &[],
    ),
    rule(
        Operation::ManageDistricts,
        "заводить районы и относить их к регионам",
        [ALL, NO, NO, NO],
        &[],
    ),
    rule(
        Operation::ManageOrganizations,
        "добавлять организации",
        [ALL, DISTRICT, NO, NO],
        &[],
    ),
    rule(
        Operation::CreateStaff,
        "заводить, приглашать, изменять, отключать и включать администраторов и координаторов",
        [ALL, NO, NO, NO],
        &[],
    ),
    rule(
        Operation::CreateDistrictUser,
        "заводить, приглашать, изменять, отключать и включать руководителей и наблюдателей",
        [ALL, DISTRICT, NO, NO],
        &[],
    ),
    rule(
        Operation::ReadUsers,
        "видеть список пользователей и журналы их учётных записей",
        [ALL, DISTRICT, NO, NO],
        &[],
    ),
    rule(
        Operation::EditCalendar,
        "вносить нерабочие и рабочие дни",
        [ALL, DISTRICT, NO, NO],
        &[],
    ),
    rule(
        Operation::ManageSubstitutions,
        "назначать замещающих на время отсутствия",
        [ALL, DISTRICT, ORG, NO],
        &[],
    ),
    rule(
        Operation::MigrateProjects,
        "переводить идущие проекты на новую версию процесса",
        [ALL, NO, NO, NO],
        &[],
    ),
    rule(
        Operation::ManagePersonalData,
        "выгружать и обезличивать персональные данные человека",
        [ALL, NO, NO, NO],
        &[],
    ),
    rule(Operation::ReadOutbox, "смотреть очередь писем", [ALL, NO, NO, NO], &[]),
    rule(
        Operation::RunReminders,
        "рассылать напоминания вручную",
        [ALL, NO, NO, NO],
        &[],
    ),
];

/// The row of an operation.
pub fn rule_of(operation: Operation) -> &'static Rule {
    TABLE
        .iter()
        .find(|r| r.operation == operation)
        .expect("every operation has a row in access::TABLE")
}

/// What an operation acts on.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// What belongs to no one district: all districts at once, the country, a region.
    Everything,
    /// A district, or something of it that is no organization's (a district calendar day).
    District(i64),
    /// An organization of a district (its values, its reports, its director).
    Organization { district: i64, organization: i64 },
    /// A project of a district with its participants.
    Project { district: i64, participants: &'a [i64] },
}

impl Target<'_> {
    fn district(&self) -> Option<i64> {
        match *self {
            Target::Everything => None,
            Target::District(d) | Target::Organization { district: d, .. } | Target::Project { district: d, .. } => {
                Some(d)
            }
        }
    }
}

impl Actor {
    /// The caller's scope: what the policy lets them do, and where.
    pub fn scope(&self) -> Scope {
        Scope::of(self)
    }
}

/// The caller's scope, computed once from the actor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    role: Role,
    /// Sees every district (administrators, the region's observer).
    everywhere: bool,
    district: Option<i64>,
    organization: Option<i64>,
}

impl Scope {
    pub fn of(actor: &Actor) -> Scope {
        let everywhere = match actor.role {
            Role::Admin => true,
            Role::Observer => actor.district_id.is_none(),
            Role::Coordinator | Role::Director => false,
        };
        Scope {
            role: actor.role,
            everywhere,
            district: actor.district_id,
            organization: match actor.role {
                Role::Director => actor.organization_id,
                _ => None,
            },
        }
    }

    fn reach(&self, operation: Operation) -> Reach {
        rule_of(operation).reach(self.role)
    }

    /// May the caller do `operation` on `target`?
    pub fn may(&self, operation: Operation, target: Target<'_>) -> bool {
        match self.reach(operation) {
            Reach::Nowhere => false,
            Reach::Everywhere => true,
            Reach::OwnDistrict => self.everywhere || (self.district.is_some() && target.district() == self.district),
            Reach::OwnProjects => self.organization.is_some_and(|own| match target {
                Target::Project { participants, .. } => participants.contains(&own),
                Target::Organization { organization, .. } => organization == own,
                Target::Everything | Target::District(_) => false,
            }),
            Reach::OwnOrganization => self.organization.is_some_and(|own| match target {
                Target::Organization { organization, .. } => organization == own,
                Target::Everything | Target::District(_) | Target::Project { .. } => false,
            }),
        }
    }

    /// [`Scope::may`], or the refusal that says who may.
    pub fn require(&self, operation: Operation, target: Target<'_>) -> Result<()> {
        if self.may(operation, target) {
            Ok(())
        } else {
            Err(refusal(operation))
        }
    }

    /// For operations the workflow limits to the roles it names ([`Rule::named`]): may the
    /// caller do `operation` on `target` where the workflow names `roles`? Roles not in the
    /// row's `named` are not limited.
    pub fn named(&self, operation: Operation, target: Target<'_>, roles: &[Role]) -> bool {
        self.may(operation, target) && (!rule_of(operation).named.contains(&self.role) || roles.contains(&self.role))
    }

    /// The condition on `projects` of the projects the caller may do `operation` on.
    pub fn projects(&self, operation: Operation) -> Condition {
        match self.reach(operation) {
            Reach::Nowhere => nothing(),
            Reach::Everywhere => Condition::all(),
            Reach::OwnDistrict if self.everywhere => Condition::all(),
            Reach::OwnDistrict => match self.district {
                Some(d) => Condition::all().add(projects::Column::DistrictId.eq(d)),
                None => nothing(),
            },
            Reach::OwnProjects | Reach::OwnOrganization => match self.organization {
                Some(org) => Condition::all().add(projects::Column::Id.in_subquery(participations(org))),
                None => nothing(),
            },
        }
    }

    /// The condition on `organizations` of the organizations the caller may do `operation`
    /// on: the same answer as [`Scope::may`] with [`Target::Organization`], in SQL.
    pub fn organizations(&self, operation: Operation) -> Condition {
        match self.reach(operation) {
            Reach::Nowhere => nothing(),
            Reach::Everywhere => Condition::all(),
            Reach::OwnDistrict if self.everywhere => Condition::all(),
            Reach::OwnDistrict => match self.district {
                Some(d) => Condition::all().add(organizations::Column::DistrictId.eq(d)),
                None => nothing(),
            },
            Reach::OwnProjects | Reach::OwnOrganization => match self.organization {
                Some(org) => Condition::all().add(organizations::Column::Id.eq(org)),
                None => nothing(),
            },
        }
    }

    /// The condition on `users` of the users the caller may do `operation` on: everyone, or
    /// the people of the caller's district.
    pub fn users(&self, operation: Operation) -> Condition {
        match self.reach(operation) {
            Reach::Everywhere => Condition::all(),
            Reach::OwnDistrict if self.everywhere => Condition::all(),
            Reach::OwnDistrict => match self.district {
                Some(d) => Condition::all().add(users::Column::DistrictId.eq(d)),
                None => nothing(),
            },
            Reach::Nowhere | Reach::OwnProjects | Reach::OwnOrganization => nothing(),
        }
    }

    /// The ids of the projects the caller may do `operation` on, as a sub-select.
    pub fn project_ids(&self, operation: Operation) -> SelectStatement {
        Query::select()
            .column((projects::Entity, projects::Column::Id))
            .from(projects::Entity)
            .cond_where(self.projects(operation))
            .to_owned()
    }

    /// The condition on `indicator_reports` of the reports whose values the caller may see.
    pub fn reports(&self) -> Condition {
        let operation = Operation::ReadValues;
        match self.reach(operation) {
            Reach::Nowhere => nothing(),
            Reach::Everywhere => Condition::all(),
            Reach::OwnDistrict if self.everywhere => Condition::all(),
            Reach::OwnDistrict => {
                Condition::all().add(indicator_reports::Column::ProjectId.in_subquery(self.project_ids(operation)))
            }
            Reach::OwnProjects => match self.organization {
                Some(org) => {
                    Condition::all().add(indicator_reports::Column::ProjectId.in_subquery(participations(org)))
                }
                None => nothing(),
            },
            Reach::OwnOrganization => match self.organization {
                Some(org) => Condition::all().add(indicator_reports::Column::OrganizationId.eq(org)),
                None => nothing(),
            },
        }
    }

    /// Whether the caller may do `operation` anywhere at all.
    pub fn may_somewhere(&self, operation: Operation) -> bool {
        self.reach(operation) != Reach::Nowhere
    }

    /// The district the caller works in, if they have one (for defaults, not for decisions).
    pub fn home_district(&self) -> Option<i64> {
        self.district
    }
}

/// May `person` be named responsible where the workflow names `roles` (a stage's owners; a
/// coordinator for a whole project)? Exactly those who would have it as a task
/// ([`Operation::HaveTasks`]): the district's coordinators, the directors of its participants.
pub fn may_be_named(person: &crate::model::User, target: Target<'_>, roles: &[Role]) -> bool {
    let as_actor = Actor {
        user_id: person.id,
        role: person.role,
        district_id: person.district_id,
        organization_id: person.organization_id,
    };
    person.active && as_actor.scope().named(Operation::HaveTasks, target, roles)
}

/// A condition no row meets.
fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

fn participations(organization_id: i64) -> SelectStatement {
    Query::select()
        .column(project_participants::Column::ProjectId)
        .from(project_participants::Entity)
        .and_where(Expr::col(project_participants::Column::OrganizationId).eq(organization_id))
        .to_owned()
}

/// The refusal of an operation: who may do it, and how far.
pub fn refusal(operation: Operation) -> Error {
    if operation == Operation::ReadProject {
        // The project office's users are the district's own people, and "no access" tells
        // them to ask the coordinator, where "not found" would send them looking for a typo.
        return Error::Forbidden(
            "Нет доступа к этому проекту: он не относится к вашему району или вашей организации.".into(),
        );
    }
    let rule = rule_of(operation);
    let who: Vec<String> = ROLES
        .iter()
        .filter(|role| rule.reach(**role) != Reach::Nowhere)
        .map(|role| format!("{} ({})", role.title(), rule.reach(*role).title()))
        .collect();
    let list = match who.split_last() {
        None => "никто".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} или {last}", rest.join(", ")),
    };
    Error::Forbidden(format!("Нет прав. {} может {list}.", capitalize(rule.title)))
}

/// The roles in the table's column order.
pub const ROLES: [Role; 4] = [Role::Admin, Role::Coordinator, Role::Director, Role::Observer];

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The table as Markdown, as the README shows it.
pub fn markdown() -> String {
    let mut out = String::from("| Что | Администратор | Координатор | Руководитель организации | Наблюдатель |\n");
    out.push_str("|---|---|---|---|---|\n");
    for rule in TABLE {
        out.push_str(&format!("| {} |", capitalize(rule.title)));
        for role in ROLES {
            let reach = rule.reach(role);
            let mark = if rule.named.contains(&role) { " ¹" } else { "" };
            out.push_str(&format!(
                " {}{mark} |",
                if reach == Reach::Nowhere { "—" } else { reach.title() }
            ));
        }
        out.push('\n');
    }
    out.push_str(
        "\n¹ И только там, где процесс называет эту роль: среди ответственных за этап или тех, \
         кто делает переход.\n\nНаблюдатель без района — наблюдатель региона: \
         «в своём районе» для него значит «во всех районах».\n",
    );
    out
}

#[cfg(test)]
mod tests;
