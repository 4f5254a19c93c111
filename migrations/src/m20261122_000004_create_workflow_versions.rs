//! `workflow_versions`: immutable, registered versions of workflow definitions, with the TOML
//! they were read from.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkflowVersions::Table)
                    .col(big_pk_auto(WorkflowVersions::Id))
                    .col(text(WorkflowVersions::Key))
                    .col(integer(WorkflowVersions::Version))
                    .col(text(WorkflowVersions::Title))
                    .col(text(WorkflowVersions::Scope))
                    .col(text(WorkflowVersions::Fingerprint))
                    // the validated definition, as JSON
                    .col(text(WorkflowVersions::Definition))
                    // the TOML as read
                    .col(text(WorkflowVersions::Source))
                    // the file name it was read from
                    .col(text(WorkflowVersions::SourceName))
                    .col(timestamp_with_time_zone(WorkflowVersions::RegisteredAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("uq_workflow_versions_key_version")
                    .table(WorkflowVersions::Table)
                    .col(WorkflowVersions::Key)
                    .col(WorkflowVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    // Not unique: reverting a file to an earlier content makes a new version
                    // with that content's fingerprint (see engine::service::workflows).
                    .name("idx_workflow_versions_key_fingerprint")
                    .table(WorkflowVersions::Table)
                    .col(WorkflowVersions::Key)
                    .col(WorkflowVersions::Fingerprint)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WorkflowVersions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WorkflowVersions {
    Table,
    Id,
    Key,
    Version,
    Title,
    Scope,
    Fingerprint,
    Definition,
    Source,
    SourceName,
    RegisteredAt,
}
