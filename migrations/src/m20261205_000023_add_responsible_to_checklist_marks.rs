//! `checklist_marks.responsible_id`: the person named for one task of a stage (a checklist
//! item, «мероприятие»). The row is the item's state in a project, so a task somebody is named
//! for and nobody has ticked yet has a row with `done = false`. Nullable: a task nobody is
//! named for goes to the stage's named person when it is their role's, else to its roles.
//! Users are deactivated, never deleted, so the reference restricts deletion.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const FK: &str = "fk_checklist_marks_responsible_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        let mut column = ColumnDef::new(ChecklistMarks::ResponsibleId);
        column.big_integer().null();
        // SQLite cannot add a foreign key to an existing table except inline with the column.
        if sqlite {
            column.extra("REFERENCES users(id) ON DELETE RESTRICT");
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ChecklistMarks::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        if !sqlite {
            manager
                .create_foreign_key(
                    ForeignKey::create()
                        .name(FK)
                        .from(ChecklistMarks::Table, ChecklistMarks::ResponsibleId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Restrict)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            manager
                .drop_foreign_key(ForeignKey::drop().name(FK).table(ChecklistMarks::Table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ChecklistMarks::Table)
                    .drop_column(ChecklistMarks::ResponsibleId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ChecklistMarks {
    Table,
    ResponsibleId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
