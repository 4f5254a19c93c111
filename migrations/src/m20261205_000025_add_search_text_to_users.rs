//! `users.search_text`: the person's name and email folded for the user list's search — lower
//! case, «ё» as «е» — because neither SQLite's `LIKE` nor `lower()` folds Cyrillic. The list
//! is ordered by it too (name first), so it is indexed. Filled for the users that exist, in
//! batches; the engine fills it with `text::search_key` on every write of a name or email.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How names were folded when this migration was written.
fn fold(name: &str, email: &str) -> String {
    format!("{name} {email}").to_lowercase().replace('ё', "е")
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    full_name: String,
    email: String,
}

const INDEX: &str = "idx_users_search_text";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::SearchText).text().not_null().default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let mut after = 0i64;
        loop {
            let select = Query::select()
                .columns([Users::Id, Users::FullName, Users::Email])
                .from(Users::Table)
                .and_where(Expr::col(Users::Id).gt(after))
                .order_by(Users::Id, Order::Asc)
                .limit(500)
                .to_owned();
            let rows = Row::find_by_statement(backend.build(&select)).all(db).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let mut case = CaseStatement::new();
            for row in &rows {
                case = case.case(
                    Expr::col(Users::Id).eq(row.id),
                    Expr::val(fold(&row.full_name, &row.email)),
                );
            }
            let update = Query::update()
                .table(Users::Table)
                .value(Users::SearchText, case)
                .and_where(Expr::col(Users::Id).is_in(rows.iter().map(|r| r.id)))
                .to_owned();
            db.execute(&update).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Users::Table)
                    .col(Users::SearchText)
                    .col(Users::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Users::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::SearchText)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    FullName,
    Email,
    SearchText,
}
