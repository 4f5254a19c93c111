//! `projects`: running instances of a workflow version in a district, with a row version for
//! optimistic concurrency.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Projects::Table)
                    .col(big_pk_auto(Projects::Id))
                    .col(big_integer(Projects::WorkflowVersionId))
                    .col(big_integer(Projects::DistrictId))
                    .col(text(Projects::Title))
                    .col(date(Projects::StartDate))
                    .col(text(Projects::CurrentStage))
                    // active | completed | cancelled
                    .col(text(Projects::Status))
                    .col(integer(Projects::RowVersion))
                    // JSON object: indicator key -> target
                    .col(text(Projects::IndicatorTargets).default("{}"))
                    .col(big_integer_null(Projects::CreatedBy))
                    .col(timestamp_with_time_zone(Projects::CreatedAt))
                    .col(timestamp_with_time_zone(Projects::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Projects::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_projects_workflow_version_id")
                            .from(Projects::Table, Projects::WorkflowVersionId)
                            .to(WorkflowVersions::Table, WorkflowVersions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_projects_district_id")
                            .from(Projects::Table, Projects::DistrictId)
                            .to(Districts::Table, Districts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_projects_created_by")
                            .from(Projects::Table, Projects::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_projects_district_id_status")
                    .table(Projects::Table)
                    .col(Projects::DistrictId)
                    .col(Projects::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_projects_workflow_version_id")
                    .table(Projects::Table)
                    .col(Projects::WorkflowVersionId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_projects_status")
                    .table(Projects::Table)
                    .col(Projects::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Projects::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    WorkflowVersionId,
    DistrictId,
    Title,
    StartDate,
    CurrentStage,
    Status,
    RowVersion,
    IndicatorTargets,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum WorkflowVersions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
