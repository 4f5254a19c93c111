//! A person's personal data (152-ФЗ): everything the system holds about one person, as one
//! JSON document for them, and anonymising them when they ask to be forgotten.
//!
//! **What is held** (the README's «Personal data» section lists it for the operator): the
//! account (name, email, role, place, when created, last sign-ins), the sessions (when each
//! began and ended — never a token), the account's trail, the reports and checklist marks
//! they entered, their acts in project histories, the letters sent to them (the outbox), the
//! substitutions naming them.
//!
//! **Anonymising** keeps the work and removes the person: in one transaction the account gets
//! the name «Удалённый пользователь № N» and an address that cannot receive mail, is switched
//! off and loses its password, sessions and links; every name and address the person ever had
//! (the current ones and those the trail kept from before an edit) is replaced by the
//! placeholder in project histories, comments, the account trails and the outbox; their
//! reports and revisions stay as the organization's (no author); the letters still waiting
//! for them are cancelled. Ids stay, so histories keep their order and references. It cannot
//! be undone; the trail says who did it and when, without the name.
//!
//! Both are the permission table's `ManagePersonalData` (administrators).

use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde_json::{Value, json};

use super::Engine;
use super::accounts::{AccountDetails, record};
use super::sessions::end_sessions;
use crate::access::{Operation, Target};
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::model::User;
use crate::store::entity::{
    checklist_marks, indicator_report_revisions, indicator_reports, notifications, password_links, project_events,
    projects, sessions, substitutions, user_events, users,
};

/// The name an anonymised person gets.
pub fn placeholder_name(id: i64) -> String {
    format!("Удалённый пользователь № {id}")
}

/// The address an anonymised person gets: `.invalid` never receives mail (RFC 2606).
fn placeholder_email(id: i64) -> String {
    format!("deleted-{id}@anonymised.invalid")
}

fn replaced<C: ColumnTrait>(column: C, from: &str, to: &str) -> SimpleExpr {
    Func::cust("REPLACE")
        .arg(Expr::col(column))
        .arg(from.to_owned())
        .arg(to.to_owned())
        .into()
}

impl Engine {
    async fn personal_subject(&self, actor: &Actor, user_id: i64) -> Result<users::Model> {
        actor
            .scope()
            .require(Operation::ManagePersonalData, Target::Everything)?;
        users::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::not_found("пользователь", user_id))
    }

    /// Everything held about one person, as one JSON document (Russian keys are not used:
    /// the document is for a program as much as for the person; the README explains it).
    pub async fn personal_data(&self, actor: &Actor, user_id: i64) -> Result<Value> {
        let row = self.personal_subject(actor, user_id).await?;
        let user = User::try_from(row.clone())?;
        let role = user.role;
        let place = super::accounts::account_words(&self.db, role, user.district_id, user.organization_id).await?;
        let sessions: Vec<Value> = sessions::Entity::find()
            .filter(sessions::Column::UserId.eq(user_id))
            .order_by_asc(sessions::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| json!({ "signedInAt": s.created_at, "expiresAt": s.expires_at, "endedAt": s.revoked_at }))
            .collect();
        let trail: Vec<Value> = self
            .account_history(&Actor::SYSTEM, user_id)
            .await?
            .into_iter()
            .map(|e| json!({ "at": e.at, "by": e.actor_name, "what": e.description }))
            .collect();
        let titles: std::collections::HashMap<i64, String> = projects::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.title))
            .collect();
        let title = |id: i64| titles.get(&id).cloned().unwrap_or_default();
        let reports: Vec<Value> = indicator_reports::Entity::find()
            .filter(indicator_reports::Column::ReportedBy.eq(user_id))
            .order_by_asc(indicator_reports::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| {
                json!({
                    "project": title(r.project_id),
                    "indicator": r.indicator_key,
                    "period": crate::period::Period::title_of(&r.period),
                    "value": r.value,
                    "comment": r.comment,
                    "at": r.reported_at,
                })
            })
            .collect();
        let marks: Vec<Value> = checklist_marks::Entity::find()
            .filter(checklist_marks::Column::MarkedBy.eq(user_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| json!({ "project": title(m.project_id), "stage": m.stage_key, "item": m.item_key, "done": m.done, "comment": m.comment, "at": m.marked_at }))
            .collect();
        let acts: Vec<Value> = project_events::Entity::find()
            .filter(project_events::Column::ActorId.eq(user_id))
            .order_by_asc(project_events::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| json!({ "project": title(e.project_id), "kind": e.kind, "at": e.at, "comment": e.comment }))
            .collect();
        let letters: Vec<Value> = notifications::Entity::find()
            .filter(notifications::Column::RecipientUserId.eq(user_id))
            .order_by_asc(notifications::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|n| json!({ "to": n.recipient_email, "kind": n.kind, "status": n.status, "createdAt": n.created_at, "sentAt": n.sent_at, "project": n.project_id.map(title) }))
            .collect();
        let standing_in: Vec<Value> = substitutions::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(substitutions::Column::UserId.eq(user_id))
                    .add(substitutions::Column::SubstituteId.eq(user_id)),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| json!({ "away": s.user_id == user_id, "from": s.starts_on, "to": s.ends_on, "cancelledAt": s.cancelled_at }))
            .collect();
        Ok(json!({
            "about": "Персональные данные одного человека в проектном офисе (152-ФЗ, ст. 14): учётная запись, входы, журнал учётной записи, внесённые отчёты и отметки, действия в проектах, письма, замещения.",
            "account": {
                "id": user.id,
                "fullName": user.full_name,
                "email": user.email,
                "role": role.title(),
                "place": place,
                "active": user.active,
                "passwordSet": user.password_set,
                "createdAt": user.created_at,
            },
            "sessions": sessions,
            "accountHistory": trail,
            "reports": reports,
            "checklistMarks": marks,
            "projectActions": acts,
            "letters": letters,
            "substitutions": standing_in,
        }))
    }

    /// Anonymises a person (see the module docs). Nobody anonymises themselves.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn anonymise_user(&self, actor: &Actor, user_id: i64) -> Result<User> {
        let row = self.personal_subject(actor, user_id).await?;
        if user_id == actor.user_id {
            return Err(Error::invalid(
                "Собственные данные обезличить нельзя: это может сделать другой администратор.",
            ));
        }
        let placeholder = placeholder_name(user_id);
        let address = placeholder_email(user_id);
        if row.full_name == placeholder {
            return User::try_from(row);
        }
        // Every name and address the person had: now, and before each edit the trail kept.
        let mut names = vec![row.full_name.clone()];
        let mut emails = vec![row.email.clone()];
        for e in user_events::Entity::find()
            .filter(user_events::Column::UserId.eq(user_id))
            .all(&self.db)
            .await?
        {
            if let Ok(AccountDetails::Edited { changes }) = serde_json::from_str(&e.details) {
                for c in changes {
                    let unquote = |s: &str| s.trim_matches(['«', '»']).to_owned();
                    match c.field.as_str() {
                        "ФИО" => names.extend([unquote(&c.before), unquote(&c.after)]),
                        "адрес почты" => emails.extend([c.before, c.after]),
                        _ => {}
                    }
                }
            }
        }
        // Longer strings first, so a name inside a longer one is not half-replaced.
        let mut pairs: Vec<(String, String)> = names
            .into_iter()
            .filter(|n| n.chars().count() >= 3)
            .map(|n| (n, placeholder.clone()))
            .chain(emails.into_iter().map(|e| (e, address.clone())))
            .collect();
        pairs.sort_by_key(|p| (std::cmp::Reverse(p.0.len()), p.0.clone()));
        pairs.dedup();

        let now = self.now();
        let txn = self.db.begin().await?;
        users::Entity::update_many()
            .col_expr(users::Column::FullName, Expr::value(placeholder.clone()))
            .col_expr(users::Column::Email, Expr::value(address.clone()))
            .col_expr(
                users::Column::SearchText,
                Expr::value(crate::text::user_search_key(&placeholder, &address)),
            )
            .col_expr(users::Column::PasswordHash, Expr::value(None::<String>))
            .col_expr(users::Column::Active, Expr::value(false))
            .filter(users::Column::Id.eq(user_id))
            .exec(&txn)
            .await?;
        end_sessions(&txn, user_id, None, now).await?;
        password_links::Entity::update_many()
            .col_expr(password_links::Column::UsedAt, Expr::value(Some(now)))
            .filter(password_links::Column::UserId.eq(user_id))
            .filter(password_links::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        for (from, to) in &pairs {
            project_events::Entity::update_many()
                .col_expr(
                    project_events::Column::Details,
                    replaced(project_events::Column::Details, from, to),
                )
                .col_expr(
                    project_events::Column::Comment,
                    replaced(project_events::Column::Comment, from, to),
                )
                .exec(&txn)
                .await?;
            user_events::Entity::update_many()
                .col_expr(
                    user_events::Column::Details,
                    replaced(user_events::Column::Details, from, to),
                )
                .exec(&txn)
                .await?;
            checklist_marks::Entity::update_many()
                .col_expr(
                    checklist_marks::Column::Comment,
                    replaced(checklist_marks::Column::Comment, from, to),
                )
                .exec(&txn)
                .await?;
            notifications::Entity::update_many()
                .col_expr(
                    notifications::Column::Payload,
                    replaced(notifications::Column::Payload, from, to),
                )
                .col_expr(
                    notifications::Column::LastError,
                    replaced(notifications::Column::LastError, from, to),
                )
                .col_expr(
                    notifications::Column::RecipientEmail,
                    replaced(notifications::Column::RecipientEmail, from, to),
                )
                .exec(&txn)
                .await?;
        }
        notifications::Entity::update_many()
            .col_expr(notifications::Column::Status, Expr::value("failed"))
            .col_expr(
                notifications::Column::LastError,
                Expr::value("Получатель обезличен: письмо не отправляется."),
            )
            .filter(notifications::Column::RecipientUserId.eq(user_id))
            .filter(notifications::Column::Status.is_in(["pending", "sending"]))
            .exec(&txn)
            .await?;
        indicator_reports::Entity::update_many()
            .col_expr(indicator_reports::Column::ReportedBy, Expr::value(None::<i64>))
            .filter(indicator_reports::Column::ReportedBy.eq(user_id))
            .exec(&txn)
            .await?;
        indicator_report_revisions::Entity::update_many()
            .col_expr(indicator_report_revisions::Column::ReportedBy, Expr::value(None::<i64>))
            .filter(indicator_report_revisions::Column::ReportedBy.eq(user_id))
            .exec(&txn)
            .await?;
        record(&txn, user_id, Some(actor.user_id), now, AccountDetails::Anonymised).await?;
        txn.commit().await?;
        self.session_ended();
        tracing::info!(user = user_id, "personal data anonymised");
        let row = users::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::not_found("пользователь", user_id))?;
        User::try_from(row)
    }
}
