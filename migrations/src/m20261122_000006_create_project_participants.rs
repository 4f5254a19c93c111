//! `project_participants`: the organizations taking part in a project.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProjectParticipants::Table)
                    .col(big_integer(ProjectParticipants::ProjectId))
                    .col(big_integer(ProjectParticipants::OrganizationId))
                    .primary_key(
                        Index::create()
                            .name("pk_project_participants")
                            .col(ProjectParticipants::ProjectId)
                            .col(ProjectParticipants::OrganizationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_participants_project_id")
                            .from(ProjectParticipants::Table, ProjectParticipants::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_participants_organization_id")
                            .from(ProjectParticipants::Table, ProjectParticipants::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_project_participants_organization_id")
                    .table(ProjectParticipants::Table)
                    .col(ProjectParticipants::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProjectParticipants::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProjectParticipants {
    Table,
    ProjectId,
    OrganizationId,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}
