//! `checklist_marks.comment`: what the person ticking an item said — for an item that needs a
//! document («нужен документ»), where the document is, until documents can be attached.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ChecklistMarks::Table)
                    .add_column(text_null(ChecklistMarks::Comment))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ChecklistMarks::Table)
                    .drop_column(ChecklistMarks::Comment)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ChecklistMarks {
    Table,
    Comment,
}
