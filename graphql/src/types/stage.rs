//! One stage of a project's plan, with its checklist.

use std::sync::Arc;

use async_graphql::{ID, Object, SimpleObject};
use chrono::NaiveDate;
use engine::definition::Definition;
use engine::model::{ChecklistMark, StagePlan};

use super::enums::Role;
use super::scalars::{Date, DateTime};
use super::to_id;

/// One stage of a project's plan.
pub struct ProjectStage {
    pub(crate) definition: Arc<Definition>,
    pub(crate) plan: StagePlan,
    pub(crate) marks: Vec<ChecklistMark>,
    pub(crate) today: NaiveDate,
    pub(crate) is_current: bool,
    pub(crate) active: bool,
    /// The open due date is counted over a calendar year that is not yet official.
    pub(crate) provisional: bool,
    /// For a join some branches have reached: the titles of the stages under way it waits for.
    pub(crate) waiting_for: Vec<String>,
    /// The due dates of the stage's tasks (items with their own rule), by item key.
    pub(crate) task_dues: std::collections::HashMap<String, NaiveDate>,
}

impl ProjectStage {
    pub(crate) fn is_overdue(&self) -> bool {
        self.active && self.plan.completed_at.is_none() && self.plan.current_due.is_some_and(|due| due < self.today)
    }
}

/// Этап в плане проекта: сроки, отметки чек-листа, состояние.
#[Object]
impl ProjectStage {
    /// Ключ этапа.
    async fn key(&self) -> &str {
        &self.plan.stage_key
    }
    /// Название этапа.
    async fn title(&self) -> String {
        self.definition
            .stage(&self.plan.stage_key)
            .map_or_else(|| self.plan.stage_key.clone(), |s| s.title.clone())
    }
    /// Порядковый номер этапа в процессе, с нуля.
    async fn position(&self) -> i32 {
        self.plan.position
    }
    /// Кто отвечает за этап.
    async fn owners(&self) -> Vec<Role> {
        self.definition
            .stage(&self.plan.stage_key)
            .map(|s| s.owners.iter().map(|r| (*r).into()).collect())
            .unwrap_or_default()
    }
    /// Ответственный за этап; нет — напоминания получают все, кому этап поручен по роли
    /// (`owners`).
    async fn responsible(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Option<super::directory::Person>> {
        super::directory::Person::load(ctx, self.plan.responsible_id).await
    }
    /// Базовый срок, рассчитанный при запуске; не меняется.
    async fn baseline_due(&self) -> Option<Date> {
        self.plan.baseline_due.map(Date::from)
    }
    /// Текущий срок (после переносов и пересчёта).
    async fn current_due(&self) -> Option<Date> {
        self.plan.current_due.map(Date::from)
    }
    /// Текущий срок рассчитан по предварительному календарю (постановление о переносах или даты
    /// региональных праздников ещё не известны) и может сдвинуться.
    async fn provisional(&self) -> bool {
        self.provisional
    }
    /// Срок установлен человеком (при запуске или переносом).
    async fn due_fixed(&self) -> bool {
        self.plan.due_fixed
    }
    /// Когда проект вошёл в этап; нет — ещё не входил.
    async fn entered_at(&self) -> Option<DateTime> {
        self.plan.entered_at.map(DateTime::from)
    }
    /// Когда этап завершён; нет — ещё не завершён.
    async fn completed_at(&self) -> Option<DateTime> {
        self.plan.completed_at.map(DateTime::from)
    }
    /// Этап идёт сейчас. Когда этапы идут параллельно, таких несколько; у завершённого или
    /// отменённого проекта — этап, на котором он остановился.
    async fn is_current(&self) -> bool {
        self.is_current
    }
    /// Этап, где сходятся параллельные ветви: он откроется, когда завершатся все ветви, которые
    /// он ждёт.
    async fn is_join(&self) -> bool {
        self.definition
            .stage(&self.plan.stage_key)
            .is_some_and(|s| !s.join.is_empty())
    }
    /// Для слияния, до которого уже дошла часть ветвей: названия идущих этапов, завершения
    /// которых оно ждёт. Пусто у остальных этапов.
    async fn waiting_for(&self) -> &[String] {
        &self.waiting_for
    }
    /// Срок прошёл, а этап не завершён.
    async fn overdue(&self) -> bool {
        self.is_overdue()
    }
    /// Дней до срока (отрицательное — дней просрочки); нет — у этапа нет срока или он завершён.
    async fn days_left(&self) -> Option<i64> {
        if self.plan.completed_at.is_some() {
            return None;
        }
        self.plan.current_due.map(|due| (due - self.today).num_days())
    }
    /// Чек-лист этапа с отметками.
    async fn checklist(&self) -> Vec<ChecklistItemState> {
        let Some(stage) = self.definition.stage(&self.plan.stage_key) else {
            return Vec::new();
        };
        stage
            .checklist
            .iter()
            .map(|item| {
                let mark = self.marks.iter().find(|m| m.item_key == item.key);
                let done = mark.is_some_and(|m| m.done);
                let due = self.task_dues.get(&item.key).copied();
                let open = self.active && !done && self.plan.completed_at.is_none();
                ChecklistItemState {
                    key: item.key.clone(),
                    title: item.title.clone(),
                    done,
                    // A row kept only for the task's named person is no mark.
                    marked_at: mark
                        .filter(|m| m.done || m.marked_by.is_some())
                        .map(|m| m.marked_at.into()),
                    marked_by: mark.and_then(|m| m.marked_by).map(to_id),
                    responsible_id: mark.and_then(|m| m.responsible_id),
                    due: due.map(Date::from),
                    days_left: due.filter(|_| open).map(|d| (d - self.today).num_days()),
                    overdue: open && due.is_some_and(|d| d < self.today),
                    owners: item.owners_in(stage).iter().map(|r| (*r).into()).collect(),
                    document_required: item.document,
                    is_task: item.due.is_some(),
                    comment: mark.filter(|m| m.done).and_then(|m| m.comment.clone()),
                }
            })
            .collect()
    }
}

/// Пункт чек-листа этапа проекта и его отметка.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ChecklistItemState {
    /// Ключ пункта.
    pub key: String,
    /// Текст пункта.
    pub title: String,
    /// Пункт отмечен.
    pub done: bool,
    /// Когда отметку поставили или сняли в последний раз.
    pub marked_at: Option<DateTime>,
    /// Кто поставил или снял отметку (идентификатор пользователя).
    pub marked_by: Option<ID>,
    /// Срок задачи, если у пункта он свой; нет — пункт выполняется в срок этапа.
    pub due: Option<Date>,
    /// Дней до срока задачи (отрицательное — дней просрочки), пока она не выполнена.
    pub days_left: Option<i64>,
    /// Срок задачи прошёл, а пункт не отмечен.
    pub overdue: bool,
    /// Кто выполняет: свои роли пункта или роли этапа.
    pub owners: Vec<Role>,
    /// Нужен документ: отметка — с комментарием, где документ.
    pub document_required: bool,
    /// Задача со своим сроком (мероприятие, контрольная точка), а не просто пункт чек-листа.
    pub is_task: bool,
    /// Комментарий к отметке (для пункта с документом — где документ).
    pub comment: Option<String>,
    #[graphql(skip)]
    pub responsible_id: Option<i64>,
}

#[async_graphql::ComplexObject]
impl ChecklistItemState {
    /// Ответственный за задачу; нет — её выполняет ответственный за этап (если задача его
    /// роли) или все, кому она поручена по роли (`owners`).
    async fn responsible(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Option<super::directory::Person>> {
        super::directory::Person::load(ctx, self.responsible_id).await
    }
}
