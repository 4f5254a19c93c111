//! `project_participants.part`: the part an organization takes in a project of a workflow
//! that declares parts (`[[parts]]`: «базовая школа», «школа-участник»), which decides the
//! indicators it reports. Nullable: participants of workflows without parts, and of projects
//! launched before parts existed, report every indicator as before.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ProjectParticipants::Table)
                    .add_column(text_null(ProjectParticipants::Part))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ProjectParticipants::Table)
                    .drop_column(ProjectParticipants::Part)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ProjectParticipants {
    Table,
    Part,
}
