//! Importing a district's organizations and their directors from a spreadsheet
//! ([`crate::import`] reads it): first a plan — what each row would create, change or leave,
//! and every problem with its line and column — then, only when the plan has no problems, the
//! whole file in one transaction, after which the new directors are invited by letter.
//!
//! **Matching.** An organization is the row's when it is in the same district with the same
//! name, in any case and with «ё» as «е» (`text::search_key`); a director is the row's when
//! the address is theirs. So importing the same file again changes nothing, and a file with a
//! changed type, phone or director's name updates just that. A director's address that belongs
//! to someone else (another organization's director, a coordinator) is a problem, never a move:
//! moving people is the person's page's job, where the trail records it. An archived
//! organization the file lists comes back from the archive: the district says it works.
//!
//! **Who may.** Adding organizations is the permission table's `ManageOrganizations`, and the
//! directors `CreateDistrictUser`, in each district of the file: an administrator anywhere, a
//! coordinator in their district. A file with a «Район» column may hold several districts (a
//! region's file); without it the rows go to the district asked for.
//!
//! **Size.** The district's organizations and the file's addresses are read in a few
//! statements before the plan is made; the writing is one transaction of plain inserts and
//! updates, measured by `benches/import` (the README gives the numbers).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::Engine;
use super::accounts::{AccountDetails, FieldChange, account_words, record};
use super::directory::normalize_email;
use crate::access::{Operation, Target};
use crate::auth::{Actor, Role};
use crate::error::{Error, Field, Result};
use crate::import::{Column, KIND_WORDS, kind_of};
use crate::mail::transport::Mailer;
use crate::model::OrganizationKind;
use crate::reminders::DeliverySettings;
use crate::store::entity::{organizations, users};

/// The file to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The district of the rows, when the file has no «Район» column.
    pub district_id: Option<i64>,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What a row does to an organization or a director.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAction {
    Create,
    Update,
    Unchanged,
}

/// A director as a row gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportDirector {
    pub full_name: String,
    pub email: String,
    pub action: ImportAction,
    pub user_id: Option<i64>,
}

/// One row of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    pub line: usize,
    pub district_id: i64,
    pub district_name: String,
    pub name: String,
    pub kind: OrganizationKind,
    pub phone: Option<String>,
    pub action: ImportAction,
    pub organization_id: Option<i64>,
    pub director: Option<ImportDirector>,
}

/// A problem of the file: its line (1 is the header), its column, what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub line: usize,
    pub column: Column,
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "строка {}, столбец «{}»: {}",
            self.line,
            self.column.title(),
            self.message
        )
    }
}

/// What importing a file would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    /// The rows without problems.
    pub lines: Vec<ImportLine>,
    pub problems: Vec<ImportProblem>,
}

/// How many of each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub organizations_created: usize,
    pub organizations_updated: usize,
    pub organizations_unchanged: usize,
    pub directors_created: usize,
    pub directors_updated: usize,
}

impl ImportPlan {
    pub fn counts(&self) -> ImportCounts {
        let mut c = ImportCounts::default();
        for line in &self.lines {
            match line.action {
                ImportAction::Create => c.organizations_created += 1,
                ImportAction::Update => c.organizations_updated += 1,
                ImportAction::Unchanged => c.organizations_unchanged += 1,
            }
            match line.director.as_ref().map(|d| d.action) {
                Some(ImportAction::Create) => c.directors_created += 1,
                Some(ImportAction::Update) => c.directors_updated += 1,
                _ => {}
            }
        }
        c
    }
}

/// What an applied import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub counts: ImportCounts,
    /// Invitations sent to the new directors.
    pub invited: usize,
    /// Why some were not («Иванова М. П.: почтовый сервер не принял письмо»).
    pub invitation_problems: Vec<String>,
}

/// The longest organization name, phone and person's name an import takes.
const MAX_NAME: usize = 500;
const MAX_PHONE: usize = 50;

fn kinds_hint() -> String {
    KIND_WORDS
        .iter()
        .map(|(_, words)| format!("«{}»", words[0]))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Engine {
    /// What importing the file would do, and every problem of it; writes nothing.
    #[tracing::instrument(skip(self, request), fields(file = %request.file_name, bytes = request.bytes.len()), err(level = "info"))]
    pub async fn plan_import(&self, actor: &Actor, request: &ImportRequest) -> Result<ImportPlan> {
        let table = crate::import::read(&request.file_name, &request.bytes)?;
        let by_column = table.columns.contains(&Column::District);
        // The districts rows may go to, by folded name.
        let districts = self.districts(actor).await?;
        let fixed = match (by_column, request.district_id) {
            (true, _) => None,
            (false, Some(id)) => Some(self.district(actor, id).await?),
            (false, None) => {
                return Err(Error::validation(
                    Field::DistrictId,
                    "Выберите район: в файле нет столбца «Район».",
                ));
            }
        };
        let scope = actor.scope();
        let may = |d: i64| {
            scope.may(Operation::ManageOrganizations, Target::District(d))
                && scope.may(Operation::CreateDistrictUser, Target::District(d))
        };
        if let Some(d) = &fixed {
            scope.require(Operation::ManageOrganizations, Target::District(d.id))?;
            scope.require(Operation::CreateDistrictUser, Target::District(d.id))?;
        }
        let district_by_name: HashMap<String, &crate::model::District> = districts
            .iter()
            .map(|d| (crate::text::search_key(d.name.trim()), d))
            .collect();

        // What is there already: the districts' organizations, the file's addresses.
        let involved: Vec<i64> = match &fixed {
            Some(d) => vec![d.id],
            None => districts.iter().map(|d| d.id).filter(|&d| may(d)).collect(),
        };
        let existing: HashMap<(i64, String), organizations::Model> = organizations::Entity::find()
            .filter(organizations::Column::DistrictId.is_in(involved.clone()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| ((o.district_id, crate::text::search_key(o.name.trim())), o))
            .collect();
        let emails: Vec<String> = table
            .rows
            .iter()
            .filter_map(|r| normalize_email(r.get(Column::DirectorEmail), Field::Email).ok())
            .collect();
        let mut people: HashMap<String, users::Model> = HashMap::new();
        for chunk in emails.chunks(500) {
            for u in users::Entity::find()
                .filter(users::Column::Email.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                people.insert(u.email.clone(), u);
            }
        }
        let org_names: HashMap<i64, String> = organizations::Entity::find()
            .filter(
                organizations::Column::Id.is_in(people.values().filter_map(|u| u.organization_id).collect::<Vec<_>>()),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();

        let mut plan = ImportPlan::default();
        let mut seen_names: HashMap<(i64, String), usize> = HashMap::new();
        let mut seen_emails: HashMap<String, usize> = HashMap::new();
        for row in &table.rows {
            let mut problems = Vec::new();
            let mut problem = |column: Column, message: String| {
                problems.push(ImportProblem {
                    line: row.line,
                    column,
                    message,
                })
            };
            for column in &table.columns {
                if let Some(c) = crate::text::forbidden_character(row.get(*column)) {
                    problem(*column, format!("в тексте {}: удалите его.", crate::text::describe(c)));
                }
            }
            let district = match &fixed {
                Some(d) => Some(d),
                None => {
                    let asked = row.get(Column::District);
                    match district_by_name.get(&crate::text::search_key(asked)) {
                        _ if asked.is_empty() => {
                            problem(Column::District, "укажите район.".into());
                            None
                        }
                        Some(d) if may(d.id) => Some(*d),
                        Some(d) => {
                            problem(
                                Column::District,
                                format!("организации района «{}» вам вносить нельзя.", d.name),
                            );
                            None
                        }
                        None => {
                            problem(
                                Column::District,
                                format!("района «{asked}» нет: напишите название так, как в справочнике районов."),
                            );
                            None
                        }
                    }
                }
            };
            let name = row.get(Column::Name).split_whitespace().collect::<Vec<_>>().join(" ");
            if name.is_empty() {
                problem(Column::Name, "укажите название организации.".into());
            } else if name.chars().count() > MAX_NAME {
                problem(Column::Name, format!("название длиннее {MAX_NAME} знаков."));
            }
            let kind_text = row.get(Column::Kind);
            let kind = kind_of(kind_text);
            if kind.is_none() {
                problem(
                    Column::Kind,
                    if kind_text.is_empty() {
                        format!("укажите тип: {}.", kinds_hint())
                    } else {
                        format!("«{kind_text}» — неизвестный тип: пишите {}.", kinds_hint())
                    },
                );
            }
            let phone = Some(row.get(Column::Phone).to_owned()).filter(|p| !p.is_empty());
            if let Some(p) = &phone
                && (p.chars().count() > MAX_PHONE
                    || !p
                        .chars()
                        .all(|c| c.is_ascii_digit() || " +-().,доб".contains(c) || c.is_whitespace()))
            {
                problem(
                    Column::Phone,
                    format!("«{p}» — не номер телефона: пишите как +7 (351) 234-56-78."),
                );
            }
            let key = district.map(|d| (d.id, crate::text::search_key(&name)));
            if let Some(key) = &key
                && !name.is_empty()
            {
                if let Some(first) = seen_names.get(key) {
                    problem(Column::Name, format!("организация «{name}» уже есть в строке {first}."));
                } else {
                    seen_names.insert(key.clone(), row.line);
                }
            }
            let found = key.as_ref().and_then(|k| existing.get(k));

            // The director, when the row names one.
            let director_name = row
                .get(Column::DirectorName)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let email_text = row.get(Column::DirectorEmail);
            let mut director = None;
            if !director_name.is_empty() || !email_text.is_empty() {
                if director_name.is_empty() {
                    problem(Column::DirectorName, "укажите ФИО руководителя к его почте.".into());
                } else if director_name.chars().count() > MAX_NAME {
                    problem(Column::DirectorName, format!("ФИО длиннее {MAX_NAME} знаков."));
                }
                match normalize_email(email_text, Field::Email) {
                    Err(_) if email_text.is_empty() => problem(
                        Column::DirectorEmail,
                        "укажите почту руководителя: на неё придёт приглашение.".into(),
                    ),
                    Err(_) => problem(
                        Column::DirectorEmail,
                        format!("«{email_text}» — не адрес электронной почты: пишите как director@school5.ru."),
                    ),
                    Ok(email) => {
                        if let Some(first) = seen_emails.get(&email) {
                            problem(
                                Column::DirectorEmail,
                                format!("адрес {email} уже указан в строке {first}."),
                            );
                        } else {
                            seen_emails.insert(email.clone(), row.line);
                        }
                        let action = match people.get(&email) {
                            None => Some((ImportAction::Create, None)),
                            Some(u)
                                if u.role == Role::Director.as_str()
                                    && found.is_some_and(|o| Some(o.id) == u.organization_id) =>
                            {
                                let action = if u.full_name == director_name {
                                    ImportAction::Unchanged
                                } else {
                                    ImportAction::Update
                                };
                                Some((action, Some(u.id)))
                            }
                            Some(u) => {
                                let place = u
                                    .organization_id
                                    .and_then(|o| org_names.get(&o).cloned())
                                    .map(|o| format!(", {o}"))
                                    .unwrap_or_default();
                                let role = Role::parse(&u.role).map_or("", Role::title);
                                problem(
                                    Column::DirectorEmail,
                                    format!(
                                        "адрес {email} уже у пользователя «{}» ({role}{place}): укажите другой адрес или измените его учётную запись на странице пользователя.",
                                        u.full_name
                                    ),
                                );
                                None
                            }
                        };
                        if let Some((action, user_id)) = action {
                            director = Some(ImportDirector {
                                full_name: director_name.clone(),
                                email,
                                action,
                                user_id,
                            });
                        }
                    }
                }
            }
            if !problems.is_empty() {
                plan.problems.extend(problems);
                continue;
            }
            let (Some(district), Some(kind)) = (district, kind) else {
                continue;
            };
            let action = match found {
                None => ImportAction::Create,
                Some(o) if o.name == name && o.kind == kind.as_str() && o.phone == phone && o.archived_at.is_none() => {
                    ImportAction::Unchanged
                }
                Some(_) => ImportAction::Update,
            };
            plan.lines.push(ImportLine {
                line: row.line,
                district_id: district.id,
                district_name: district.name.clone(),
                name,
                kind,
                phone,
                action,
                organization_id: found.map(|o| o.id),
                director,
            });
        }
        if table.rows.is_empty() {
            plan.problems.push(ImportProblem {
                line: 2,
                column: Column::Name,
                message: "в файле нет ни одной строки с организацией.".into(),
            });
        }
        Ok(plan)
    }

    /// Imports the file: refused with every problem when it has any, else one transaction,
    /// and then the new directors are invited (a letter that does not go out is said so and
    /// leaves the account, to be invited again from the person's page).
    #[tracing::instrument(skip(self, request, mailer, settings), fields(file = %request.file_name), err(level = "info"))]
    pub async fn apply_import(
        &self,
        actor: &Actor,
        request: &ImportRequest,
        mailer: &Mailer,
        settings: &DeliverySettings,
    ) -> Result<ImportOutcome> {
        let plan = self.plan_import(actor, request).await?;
        if !plan.problems.is_empty() {
            let shown: Vec<String> = plan.problems.iter().take(5).map(ToString::to_string).collect();
            let more = plan.problems.len().saturating_sub(shown.len());
            return Err(Error::invalid(format!(
                "Файл не загружен, ничего не изменено: ошибок — {}. {}{}. Исправьте их и загрузите файл снова.",
                plan.problems.len(),
                shown.join("; "),
                if more > 0 {
                    format!(" и ещё {more}")
                } else {
                    String::new()
                }
            )));
        }
        let now = self.now();
        let counts = plan.counts();
        let txn = self.db.begin().await?;
        let mut invite = Vec::new();
        for line in &plan.lines {
            let organization_id = match (line.action, line.organization_id) {
                (ImportAction::Create, _) | (_, None) => {
                    organizations::ActiveModel {
                        district_id: Set(line.district_id),
                        name: Set(line.name.clone()),
                        kind: Set(line.kind.as_str().to_owned()),
                        email: Set(None),
                        phone: Set(line.phone.clone()),
                        created_at: Set(now),
                        archived_at: Set(None),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?
                    .id
                }
                (ImportAction::Update, Some(id)) => {
                    organizations::Entity::update_many()
                        .col_expr(organizations::Column::Name, Expr::value(line.name.clone()))
                        .col_expr(organizations::Column::Kind, Expr::value(line.kind.as_str()))
                        .col_expr(organizations::Column::Phone, Expr::value(line.phone.clone()))
                        .col_expr(organizations::Column::ArchivedAt, Expr::value(None::<DateTime<Utc>>))
                        .filter(organizations::Column::Id.eq(id))
                        .exec(&txn)
                        .await?;
                    id
                }
                (ImportAction::Unchanged, Some(id)) => id,
            };
            let Some(director) = &line.director else { continue };
            match (director.action, director.user_id) {
                (ImportAction::Create, _) => {
                    let row = users::ActiveModel {
                        search_text: Set(crate::text::user_search_key(&director.full_name, &director.email)),
                        email: Set(director.email.clone()),
                        full_name: Set(director.full_name.clone()),
                        password_hash: Set(None),
                        role: Set(Role::Director.as_str().to_owned()),
                        district_id: Set(Some(line.district_id)),
                        organization_id: Set(Some(organization_id)),
                        active: Set(true),
                        created_at: Set(now),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?;
                    let account =
                        account_words(&txn, Role::Director, Some(line.district_id), Some(organization_id)).await?;
                    record(
                        &txn,
                        row.id,
                        Some(actor.user_id),
                        now,
                        AccountDetails::Created { account },
                    )
                    .await?;
                    invite.push((row.id, director.full_name.clone()));
                }
                (ImportAction::Update, Some(id)) => {
                    let before = users::Entity::find_by_id(id)
                        .one(&txn)
                        .await?
                        .ok_or_else(|| Error::not_found("пользователь", id))?;
                    users::Entity::update_many()
                        .col_expr(users::Column::FullName, Expr::value(director.full_name.clone()))
                        .col_expr(
                            users::Column::SearchText,
                            Expr::value(crate::text::user_search_key(&director.full_name, &director.email)),
                        )
                        .filter(users::Column::Id.eq(id))
                        .exec(&txn)
                        .await?;
                    let changes = vec![FieldChange {
                        field: "ФИО".into(),
                        before: format!("«{}»", before.full_name),
                        after: format!("«{}»", director.full_name),
                    }];
                    record(&txn, id, Some(actor.user_id), now, AccountDetails::Edited { changes }).await?;
                }
                _ => {}
            }
        }
        txn.commit().await?;
        tracing::info!(?counts, "import applied");
        let mut invited = 0;
        let mut invitation_problems = Vec::new();
        for (id, name) in invite {
            match self.invite_user(actor, id, mailer, settings).await {
                Ok(_) => invited += 1,
                Err(e) => invitation_problems.push(format!("{name}: {e}")),
            }
        }
        Ok(ImportOutcome {
            counts,
            invited,
            invitation_problems,
        })
    }
}
