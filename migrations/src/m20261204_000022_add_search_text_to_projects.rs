//! `projects.search_text`: the project's title folded for search — lower case, «ё» as «е» —
//! because neither SQLite's `LIKE` nor `lower()` folds Cyrillic. Filled for the projects that
//! exist, in batches; the engine fills it at launch with `text::search_key`, which must fold
//! the same way (a change to it comes with a migration that refolds).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How titles were folded when this migration was written.
fn fold(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    title: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Projects::Table)
                    .add_column(ColumnDef::new(Projects::SearchText).text().not_null().default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let mut after = 0i64;
        loop {
            let select = Query::select()
                .columns([Projects::Id, Projects::Title])
                .from(Projects::Table)
                .and_where(Expr::col(Projects::Id).gt(after))
                .order_by(Projects::Id, Order::Asc)
                .limit(500)
                .to_owned();
            let rows = Row::find_by_statement(backend.build(&select)).all(db).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            // One statement a batch: CASE id WHEN … THEN … END.
            let mut case = CaseStatement::new();
            for row in &rows {
                case = case.case(Expr::col(Projects::Id).eq(row.id), Expr::val(fold(&row.title)));
            }
            let update = Query::update()
                .table(Projects::Table)
                .value(Projects::SearchText, case)
                .and_where(Expr::col(Projects::Id).is_in(rows.iter().map(|r| r.id)))
                .to_owned();
            db.execute(&update).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Projects::Table)
                    .drop_column(Projects::SearchText)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    Title,
    SearchText,
}
