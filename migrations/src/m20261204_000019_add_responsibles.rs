//! Named responsible people: `projects.responsible_id` («ответственный за проект») and
//! `stage_plans.responsible_id` (a stage's own). Nullable: a project launched before them, and
//! a stage nobody was named for, are reminded to the roles the workflow names, as before.
//! Users are deactivated, never deleted, so the references restrict deletion.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables that get the column, with the names of their foreign key and index.
const TABLES: [(Tables, &str, &str); 2] = [
    (
        Tables::Projects,
        "fk_projects_responsible_id",
        "idx_projects_responsible_id",
    ),
    (
        Tables::StagePlans,
        "fk_stage_plans_responsible_id",
        "idx_stage_plans_responsible_id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        for (table, fk, index) in TABLES {
            let mut column = ColumnDef::new(Tables::ResponsibleId);
            column.big_integer().null();
            // SQLite cannot add a foreign key to an existing table except inline with the column.
            if sqlite {
                column.extra("REFERENCES users(id) ON DELETE RESTRICT");
            }
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
            if !sqlite {
                manager
                    .create_foreign_key(
                        ForeignKey::create()
                            .name(fk)
                            .from(table, Tables::ResponsibleId)
                            .to(Tables::Users, Tables::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .to_owned(),
                    )
                    .await?;
            }
            // «Мои проекты» looks projects up by the person named in them.
            manager
                .create_index(
                    Index::create()
                        .name(index)
                        .table(table)
                        .col(Tables::ResponsibleId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        for (table, fk, index) in TABLES {
            manager
                .drop_index(Index::drop().name(index).table(table).to_owned())
                .await?;
            if !sqlite {
                manager
                    .drop_foreign_key(ForeignKey::drop().name(fk).table(table).to_owned())
                    .await?;
            }
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Tables::ResponsibleId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Tables {
    Projects,
    StagePlans,
    Users,
    Id,
    ResponsibleId,
}
