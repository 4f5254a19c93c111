//! Input types of mutations and filters.

use crate::types::enums::{Health, OrganizationKind, ProjectStatus, Role};
use crate::types::scalars::Date;
use async_graphql::{ID, InputObject};

/// Новый район.
#[derive(InputObject)]
pub struct CreateDistrictInput {
    /// Название района.
    pub name: String,
    /// Код региона (субъекта РФ), например «74»: его нерабочие дни учитываются в сроках.
    pub region_code: Option<String>,
    /// Часовой пояс IANA, например `Asia/Yekaterinburg` или `Europe/Moscow`; по умолчанию — пояс столицы региона.
    pub time_zone: Option<String>,
}

/// Нерабочий или рабочий день, вносимый в календарь со ссылкой на акт.
#[derive(InputObject)]
pub struct AddCalendarDayInput {
    /// Для кого: вся страна или регион (администратор), район (администратор или координатор района).
    pub scope: crate::types::calendar::CalendarScopeKind,
    /// Код региона — для записи региона.
    pub region_code: Option<String>,
    /// Район — для записи района.
    pub district_id: Option<ID>,
    /// Дата.
    pub date: Date,
    /// `true` — рабочий день (например, суббота по переносу), `false` — нерабочий.
    pub working: bool,
    /// Что это за день, например «День города» или «Перенос выходного дня».
    pub title: String,
    /// Номер акта.
    pub act_number: String,
    /// Дата акта.
    pub act_date: Date,
    /// Вид и название акта, например «Постановление администрации района».
    pub act_title: Option<String>,
}

/// Новая организация.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// Район организации.
    pub district_id: ID,
    /// Полное название.
    pub name: String,
    /// Тип организации.
    pub kind: OrganizationKind,
    /// Адрес электронной почты организации.
    pub email: Option<String>,
}

/// Новый пользователь.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Адрес электронной почты (логин).
    pub email: String,
    /// ФИО.
    pub full_name: String,
    /// Обычно не задаётся: без пароля человеку уходит письмо-приглашение, и пароль он
    /// придумывает сам. Заданный — не короче 8 знаков и трудный для подбора.
    #[graphql(secret)]
    pub password: Option<String>,
    /// Роль пользователя.
    pub role: Role,
    /// Район координатора или наблюдателя.
    pub district_id: Option<ID>,
    /// Организация руководителя.
    pub organization_id: Option<ID>,
}

/// Срок этапа, который назначают при запуске.
#[derive(InputObject)]
pub struct StageDueInput {
    /// Ключ этапа.
    pub stage: String,
    /// Срок этапа.
    pub date: Date,
}

/// Цель показателя, которую задают при запуске.
#[derive(InputObject)]
pub struct IndicatorTargetInput {
    /// Код показателя.
    pub indicator: String,
    /// Целевое значение.
    pub target: f64,
}

/// Запуск проекта по процессу.
#[derive(InputObject)]
pub struct LaunchProjectInput {
    /// Ключ процесса, например `tochka-rosta`.
    pub workflow_key: String,
    /// Версия процесса; по умолчанию — последняя.
    pub workflow_version: Option<i32>,
    /// Район проекта.
    pub district_id: ID,
    /// Название; по умолчанию — название процесса и организации.
    pub title: Option<String>,
    /// Дата начала; по умолчанию — сегодня по времени района.
    pub start_date: Option<Date>,
    /// Организации-участники (для процесса одной организации — ровно одна).
    pub participant_ids: Vec<ID>,
    /// Сроки этапов, которые назначает координатор.
    #[graphql(default)]
    pub due_dates: Vec<StageDueInput>,
    /// Цели показателей, которые задаёт регион или район.
    #[graphql(default)]
    pub indicator_targets: Vec<IndicatorTargetInput>,
    /// Ответственный за проект — координатор района (см. `launchResponsibleCandidates`); по
    /// умолчанию — координатор, который запускает проект.
    pub responsible_id: Option<ID>,
    /// Роли участников для процесса, где они есть (`Workflow.parts`); участник без выбранной
    /// роли получает первую.
    #[graphql(default)]
    pub participant_parts: Vec<ParticipantPartInput>,
    /// Ответственные за этапы (см. `launchResponsibleCandidates` с `stage`); этап без
    /// ответственного ведут все, кому он поручен по роли.
    #[graphql(default)]
    pub stage_responsibles: Vec<StageResponsibleInput>,
}

/// Ответственный за один этап, назначаемый при запуске.
#[derive(InputObject)]
pub struct StageResponsibleInput {
    /// Ключ этапа.
    pub stage: String,
    /// Кого назначить.
    pub responsible_id: ID,
}

/// Роль одной организации-участника в проекте.
#[derive(InputObject)]
pub struct ParticipantPartInput {
    /// Организация (одна из `participantIds`).
    pub organization_id: ID,
    /// Ключ роли из `Workflow.parts`.
    pub part: String,
}

impl LaunchProjectInput {
    /// The engine's launch request, or a `VALIDATION` error naming a bad id.
    pub fn into_engine(self) -> async_graphql::Result<engine::service::LaunchProject> {
        Ok(engine::service::LaunchProject {
            workflow_key: self.workflow_key,
            workflow_version: self.workflow_version,
            district_id: crate::types::parse_id(&self.district_id, "districtId")?,
            title: self.title,
            start_date: self.start_date.map(Into::into),
            participants: self
                .participant_ids
                .iter()
                .map(|id| crate::types::parse_id(id, "participantIds"))
                .collect::<Result<_, _>>()?,
            due_dates: self.due_dates.into_iter().map(|d| (d.stage, d.date.into())).collect(),
            indicator_targets: self
                .indicator_targets
                .into_iter()
                .map(|t| (t.indicator, t.target))
                .collect(),
            responsible_id: self
                .responsible_id
                .as_ref()
                .map(|id| crate::types::parse_id(id, "responsibleId"))
                .transpose()?,
            parts: self
                .participant_parts
                .into_iter()
                .map(|p| Ok((crate::types::parse_id(&p.organization_id, "participantParts")?, p.part)))
                .collect::<async_graphql::Result<_>>()?,
            stage_responsibles: self
                .stage_responsibles
                .into_iter()
                .map(|r| {
                    let field = format!("stageResponsibles.{}", r.stage);
                    Ok((r.stage, crate::types::parse_id(&r.responsible_id, &field)?))
                })
                .collect::<async_graphql::Result<_>>()?,
        })
    }
}

/// Переход проекта в другой этап.
#[derive(InputObject)]
pub struct TransitionProjectInput {
    /// Проект.
    pub project_id: ID,
    /// Ключ этапа, в который переходим (для развилки — любой из этапов, которые она открывает).
    pub to_stage: String,
    /// Ключ этапа, из которого переходим: какая из параллельных ветвей движется. Можно не
    /// указывать, если в `toStage` ведёт только один из идущих сейчас этапов.
    pub from_stage: Option<String>,
    /// Версия проекта (`rowVersion`), которую вы видели.
    pub expected_version: i32,
    /// Комментарий к переходу (для некоторых переходов обязателен).
    pub comment: Option<String>,
}

/// Отметка пункта чек-листа или её снятие.
#[derive(InputObject)]
pub struct CompleteChecklistItemInput {
    /// Проект.
    pub project_id: ID,
    /// Ключ этапа.
    pub stage: String,
    /// Ключ пункта.
    pub item: String,
    /// `false` снимает отметку.
    #[graphql(default = true)]
    pub done: bool,
    /// Комментарий к отметке; для пункта, которому нужен документ (`documentRequired`), —
    /// обязательно: где документ (номер и дата акта, ссылка).
    pub comment: Option<String>,
}

/// Перенос срока этапа.
#[derive(InputObject)]
pub struct RescheduleStageInput {
    /// Проект.
    pub project_id: ID,
    /// Ключ этапа.
    pub stage: String,
    /// Новый срок этапа.
    pub new_due: Date,
    /// Причина переноса (обязательна).
    pub reason: String,
    /// Версия проекта (`rowVersion`), которую вы видели; без неё версия не проверяется.
    pub expected_version: Option<i32>,
}

/// Отмена проекта.
#[derive(InputObject)]
pub struct CancelProjectInput {
    /// Проект.
    pub project_id: ID,
    /// Версия проекта (`rowVersion`), которую вы видели.
    pub expected_version: i32,
    /// Причина отмены (обязательна).
    pub reason: String,
}

/// Назначение ответственного за проект или за этап.
#[derive(InputObject)]
pub struct AssignResponsibleInput {
    /// Проект.
    pub project_id: ID,
    /// Ключ этапа; без него — ответственный за весь проект.
    pub stage: Option<String>,
    /// Ключ задачи (пункта чек-листа) этапа `stage`; без него — ответственный за сам этап.
    pub task: Option<String>,
    /// Кого назначить (см. `Project.responsibleCandidates`); `null` снимает назначение — тогда
    /// напоминания по этапу получают все, кому он поручен по роли.
    pub responsible_id: Option<ID>,
    /// Версия проекта (`rowVersion`), которую вы видели; без неё версия не проверяется.
    pub expected_version: Option<i32>,
}

/// Какие проекты показать: заданные условия действуют вместе.
#[derive(InputObject, Default)]
pub struct ProjectFilterInput {
    /// Район.
    pub district_id: Option<ID>,
    /// Ключ процесса.
    pub workflow: Option<String>,
    /// Ключ этапа, который идёт сейчас (любой из параллельных ветвей).
    pub stage: Option<String>,
    /// Состояние проекта.
    pub status: Option<ProjectStatus>,
    /// Только просроченные (`true`) или только не просроченные (`false`).
    pub overdue: Option<bool>,
    /// Проекты, в которых участвует организация.
    pub organization_id: Option<ID>,
    /// Только проекты с этим светофором.
    pub health: Option<Health>,
    /// «Мои проекты»: проекты, за которые отвечает этот пользователь — целиком или за этап,
    /// который ещё не пройден.
    pub responsible_id: Option<ID>,
    /// Слова, которые есть в названии проекта (в любом регистре, «ё» как «е»), до 200 знаков.
    pub search: Option<String>,
}

/// Сдача значения показателя.
#[derive(InputObject)]
pub struct ReportIndicatorInput {
    /// Проект.
    pub project_id: ID,
    /// Организация, за которую сдаётся отчёт.
    pub organization_id: ID,
    /// Код показателя, например `2.1`.
    pub indicator: String,
    /// Период: `2025-Q1`, `2025-03`, `2025-H1`, `2025`, `2024/25` или `once`.
    pub period: String,
    /// Значение; для «да/нет» — 1 (да) или 0 (нет).
    pub value: f64,
    /// Комментарий.
    pub comment: Option<String>,
}

/// Какие отчёты показать.
#[derive(InputObject, Default)]
pub struct ReportFilterInput {
    /// Проект.
    pub project_id: Option<ID>,
    /// Район.
    pub district_id: Option<ID>,
    /// Организация.
    pub organization_id: Option<ID>,
    /// Код показателя.
    pub indicator: Option<String>,
    /// Период, записанный как в отчёте: `2025-Q1`, `2025-03`, `2025-H1`, `2025`, `2024/25` или `once`.
    pub period: Option<String>,
}

/// What a responsible is named for, from the `stage` and `task` of an input.
pub(crate) fn responsible_for<'a>(
    stage: Option<&'a str>,
    task: Option<&'a str>,
) -> engine::error::Result<engine::service::ResponsibleFor<'a>> {
    use engine::service::ResponsibleFor;
    match (stage, task) {
        (None, None) => Ok(ResponsibleFor::Project),
        (Some(stage), None) => Ok(ResponsibleFor::Stage(stage)),
        (Some(stage), Some(task)) => Ok(ResponsibleFor::Task { stage, task }),
        (None, Some(_)) => Err(engine::error::Error::validation(
            engine::error::Field::Stage,
            "Укажите этап, к которому относится задача.",
        )),
    }
}

/// Каких пользователей показать: заданные условия действуют вместе.
#[derive(InputObject, Default)]
pub struct UserFilterInput {
    /// Слова ФИО или адреса почты, в любом регистре.
    pub search: Option<String>,
    /// Район.
    pub district_id: Option<ID>,
    /// Роль.
    pub role: Option<Role>,
    /// `true` — только включённые учётные записи, `false` — только отключённые.
    pub active: Option<bool>,
}

/// Отключить или включить учётную запись.
#[derive(InputObject)]
pub struct SetUserActiveInput {
    /// Пользователь.
    pub user_id: ID,
    /// `false` — отключить (сеансы завершаются сразу), `true` — включить снова.
    pub active: bool,
}

/// Смена своего пароля.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// Пароль, с которым вы входите сейчас.
    #[graphql(secret)]
    pub current_password: String,
    /// Новый пароль: не короче 8 знаков и трудный для подбора.
    #[graphql(secret)]
    pub new_password: String,
}

/// Учётная запись, какой она должна стать.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// Пользователь.
    pub user_id: ID,
    /// Адрес электронной почты (логин).
    pub email: String,
    /// ФИО.
    pub full_name: String,
    /// Роль.
    pub role: Role,
    /// Район координатора или наблюдателя.
    pub district_id: Option<ID>,
    /// Организация руководителя.
    pub organization_id: Option<ID>,
}

/// Пароль по ссылке из письма (приглашения или восстановления).
#[derive(InputObject)]
pub struct SetPasswordWithLinkInput {
    /// Ключ ссылки — то, что стоит в ссылке после знака «#».
    #[graphql(secret)]
    pub token: String,
    /// Новый пароль: не короче 8 знаков и трудный для подбора.
    #[graphql(secret)]
    pub password: String,
}
