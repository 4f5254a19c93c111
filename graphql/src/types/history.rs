//! Entries of a project's history.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;
use engine::definition::Definition;
use engine::model::{EventDetails, EventKind};

use super::enums::HistoryKind;
use super::scalars::{DateTime, Json};
use super::to_id;

/// One entry of a project's history.
pub struct HistoryEntry {
    pub(crate) event: engine::model::ProjectEvent,
    pub(crate) definition: Arc<Definition>,
}

impl HistoryEntry {
    fn stage_title(&self, key: Option<&str>) -> String {
        key.map(|k| {
            self.definition
                .stage(k)
                .map_or_else(|| k.to_string(), |s| s.title.clone())
        })
        .unwrap_or_default()
    }
}

/// Запись истории проекта.
#[Object]
impl HistoryEntry {
    /// Идентификатор записи.
    async fn id(&self) -> ID {
        to_id(self.event.id)
    }
    /// Проект, к которому относится запись.
    async fn project_id(&self) -> ID {
        to_id(self.event.project_id)
    }
    /// Когда это произошло.
    async fn at(&self) -> DateTime {
        self.event.at.into()
    }
    /// Что произошло.
    async fn kind(&self) -> HistoryKind {
        self.event.kind.into()
    }
    /// Кто это сделал («Система» — автоматически).
    async fn actor_name(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let Some(id) = self.event.actor_id else {
            return Ok("Система".into());
        };
        Ok(crate::loaders::of(ctx)?
            .user_names
            .load_one(id)
            .await?
            .unwrap_or_else(|| "—".into()))
    }
    /// Ключ этапа, из которого был переход: какая ветвь двинулась, когда этапы идут
    /// параллельно.
    async fn from_stage(&self) -> Option<&str> {
        self.event.from_stage.as_deref()
    }
    /// Ключи этапов, которые открыл переход: несколько — у развилки на параллельные ветви,
    /// ни одного — когда ветвь пришла в слияние и оно ждёт других ветвей.
    async fn opened_stages(&self) -> Vec<String> {
        match (&self.event.kind, &self.event.details) {
            (EventKind::Transition, EventDetails::Moved { opened, .. }) => opened.clone(),
            (EventKind::Transition | EventKind::Launched, _) => self.event.to_stage.iter().cloned().collect(),
            _ => Vec::new(),
        }
    }
    /// Ключ этапа, в который перешёл проект (при запуске — первый этап).
    async fn to_stage(&self) -> Option<&str> {
        self.event.to_stage.as_deref()
    }
    /// Этап, которого касается перенос срока или отметка чек-листа.
    async fn stage(&self) -> Option<&str> {
        self.event.stage_key.as_deref()
    }
    /// Комментарий или причина.
    async fn comment(&self) -> Option<&str> {
        self.event.comment.as_deref()
    }
    /// Что произошло, одной фразой.
    async fn summary(&self) -> String {
        let e = &self.event;
        let date = |d: Option<NaiveDate>| d.map_or("—".to_string(), |d| d.format("%d.%m.%Y").to_string());
        match (&e.kind, &e.details) {
            (EventKind::Launched, _) => format!("Проект запущен, этап «{}»", self.stage_title(e.to_stage.as_deref())),
            (EventKind::Transition, EventDetails::Moved { opened, waiting }) => {
                let titles = |keys: &[String]| {
                    keys.iter()
                        .map(|k| format!("«{}»", self.stage_title(Some(k))))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let from = self.stage_title(e.from_stage.as_deref());
                match (opened.len(), waiting.is_empty()) {
                    (0, false) => format!(
                        "Ветвь «{from}» завершена; {} ждёт завершения других ветвей",
                        titles(waiting)
                    ),
                    (0, true) => format!("Ветвь «{from}» завершена"),
                    (1, _) => format!("Переход: «{from}» → {}", titles(opened)),
                    _ => format!("Переход: «{from}» → параллельно {}", titles(opened)),
                }
            }
            (EventKind::Transition, _) => format!(
                "Переход: «{}» → «{}»",
                self.stage_title(e.from_stage.as_deref()),
                self.stage_title(e.to_stage.as_deref())
            ),
            (EventKind::Rescheduled, EventDetails::Rescheduled { from, to, .. }) => format!(
                "Срок этапа «{}» перенесён: {} → {}",
                self.stage_title(e.stage_key.as_deref()),
                date(*from),
                date(Some(*to))
            ),
            (EventKind::Rescheduled, _) => {
                format!("Срок этапа «{}» перенесён", self.stage_title(e.stage_key.as_deref()))
            }
            (EventKind::ChecklistItem, EventDetails::ChecklistItem { title, done, .. }) => format!(
                "{} пункт «{title}» (этап «{}»)",
                if *done {
                    "Отмечен"
                } else {
                    "Снята отметка:"
                },
                self.stage_title(e.stage_key.as_deref())
            ),
            (EventKind::ChecklistItem, _) => {
                format!("Чек-лист этапа «{}» изменён", self.stage_title(e.stage_key.as_deref()))
            }
            (EventKind::Cancelled, _) => "Проект отменён".into(),
            (EventKind::Migrated, EventDetails::Migrated { from, to, changes }) => format!(
                "Проект переведён на версию {to} процесса (была {from}). {}",
                changes.join(" ")
            )
            .trim_end()
            .to_string(),
            (EventKind::Migrated, _) => "Проект переведён на другую версию процесса".into(),
            (EventKind::ResponsibleChanged, details) => {
                let (from, to, task) = match details {
                    EventDetails::Responsible { from, to, task } => (from.as_ref(), to.as_ref(), task.as_ref()),
                    _ => (None, None, None),
                };
                let what = match (e.stage_key.as_deref(), task) {
                    (Some(k), Some(t)) => format!("за задачу «{}» этапа «{}»", t.title, self.stage_title(Some(k))),
                    (Some(k), None) => format!("за этап «{}»", self.stage_title(Some(k))),
                    (None, _) => "за проект".to_string(),
                };
                match (from, to) {
                    (_, Some(to)) => format!(
                        "Ответственный {what}: {}{}",
                        to.name,
                        from.map(|f| format!(" (вместо: {})", f.name)).unwrap_or_default()
                    ),
                    (Some(from), None) => format!(
                        "Ответственный {what} снят ({}){}",
                        from.name,
                        match (e.stage_key.is_some(), task.is_some()) {
                            (true, false) => ": напоминания получают все, кому этап поручен по роли",
                            (true, true) => ": задачу выполняют те, кому она поручена",
                            _ => "",
                        }
                    ),
                    (None, None) => format!("Ответственный {what} изменён"),
                }
            }
            (EventKind::Recomputed, details) => {
                let changes: Vec<String> = match details {
                    EventDetails::Recomputed { changes } => changes
                        .iter()
                        .map(|c| {
                            format!(
                                "«{}»: {} → {}",
                                self.stage_title(Some(&c.stage)),
                                date(c.from),
                                date(c.to)
                            )
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                format!("Сроки пересчитаны по календарю: {}", changes.join("; "))
            }
        }
    }
    /// Подробности записи в JSON; состав зависит от `kind` (например, у переноса срока —
    /// `from`, `to`, `baseline` в виде дат `ГГГГ-ММ-ДД`); `null` — подробностей нет.
    async fn details(&self) -> Json {
        Json::from(self.event.details.to_json().unwrap_or(serde_json::Value::Null))
    }
}
