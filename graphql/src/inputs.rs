//! Input types of mutations and filters.

use async_graphql::{ID, InputObject};
use chrono::NaiveDate;

use crate::types::enums::{OrganizationKind, ProjectStatus, Role};

/// A new district.
#[derive(InputObject)]
pub struct CreateDistrictInput {
    /// Название района.
    pub name: String,
    /// Часовой пояс IANA, например `Asia/Yekaterinburg` или `Europe/Moscow`.
    pub time_zone: String,
}

/// A new organization.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    pub district_id: ID,
    pub name: String,
    pub kind: OrganizationKind,
    pub email: Option<String>,
}

/// A new user.
#[derive(InputObject)]
pub struct CreateUserInput {
    pub email: String,
    pub full_name: String,
    /// Не меньше 8 знаков; без пароля пользователь не сможет войти.
    #[graphql(secret)]
    pub password: Option<String>,
    pub role: Role,
    /// Район координатора или наблюдателя.
    pub district_id: Option<ID>,
    /// Организация руководителя.
    pub organization_id: Option<ID>,
}

/// A due date set at launch.
#[derive(InputObject)]
pub struct StageDueInput {
    /// Ключ этапа.
    pub stage: String,
    pub date: NaiveDate,
}

/// A target set at launch.
#[derive(InputObject)]
pub struct IndicatorTargetInput {
    /// Код показателя.
    pub indicator: String,
    pub target: f64,
}

/// Launching a project.
#[derive(InputObject)]
pub struct LaunchProjectInput {
    /// Ключ процесса, например `tochka-rosta`.
    pub workflow_key: String,
    /// Версия процесса; по умолчанию — последняя.
    pub workflow_version: Option<i32>,
    pub district_id: ID,
    /// Название; по умолчанию — название процесса и организации.
    pub title: Option<String>,
    /// Дата начала; по умолчанию — сегодня по времени района.
    pub start_date: Option<NaiveDate>,
    /// Организации-участники (для процесса одной организации — ровно одна).
    pub participant_ids: Vec<ID>,
    /// Сроки этапов, которые назначает координатор.
    #[graphql(default)]
    pub due_dates: Vec<StageDueInput>,
    /// Цели показателей, которые задаёт регион или район.
    #[graphql(default)]
    pub indicator_targets: Vec<IndicatorTargetInput>,
}

/// Moving a project to another stage.
#[derive(InputObject)]
pub struct TransitionProjectInput {
    pub project_id: ID,
    /// Ключ этапа, в который переходим.
    pub to_stage: String,
    /// Версия проекта (`rowVersion`), которую вы видели.
    pub expected_version: i32,
    pub comment: Option<String>,
}

/// Ticking a checklist item.
#[derive(InputObject)]
pub struct CompleteChecklistItemInput {
    pub project_id: ID,
    /// Ключ этапа.
    pub stage: String,
    /// Ключ пункта.
    pub item: String,
    /// `false` снимает отметку.
    #[graphql(default = true)]
    pub done: bool,
}

/// Moving a stage's due date.
#[derive(InputObject)]
pub struct RescheduleStageInput {
    pub project_id: ID,
    pub stage: String,
    pub new_due: NaiveDate,
    /// Причина переноса (обязательна).
    pub reason: String,
    pub expected_version: Option<i32>,
}

/// Cancelling a project.
#[derive(InputObject)]
pub struct CancelProjectInput {
    pub project_id: ID,
    pub expected_version: i32,
    pub reason: String,
}

/// Which projects to list.
#[derive(InputObject, Default)]
pub struct ProjectFilterInput {
    pub district_id: Option<ID>,
    /// Ключ процесса.
    pub workflow: Option<String>,
    /// Ключ текущего этапа.
    pub stage: Option<String>,
    pub status: Option<ProjectStatus>,
    /// Только просроченные (`true`) или только не просроченные (`false`).
    pub overdue: Option<bool>,
    /// Проекты, в которых участвует организация.
    pub organization_id: Option<ID>,
}
