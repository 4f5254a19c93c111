//! `stage_plans`: for every stage of a project, its baseline and current due dates and when it
//! was entered and completed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StagePlans::Table)
                    .col(big_pk_auto(StagePlans::Id))
                    .col(big_integer(StagePlans::ProjectId))
                    .col(text(StagePlans::StageKey))
                    .col(integer(StagePlans::Position))
                    .col(date_null(StagePlans::BaselineDue))
                    .col(date_null(StagePlans::CurrentDue))
                    .col(boolean(StagePlans::DueFixed).default(false))
                    .col(timestamp_with_time_zone_null(StagePlans::EnteredAt))
                    .col(timestamp_with_time_zone_null(StagePlans::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stage_plans_project_id")
                            .from(StagePlans::Table, StagePlans::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("uq_stage_plans_project_id_stage_key")
                    .table(StagePlans::Table)
                    .col(StagePlans::ProjectId)
                    .col(StagePlans::StageKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_stage_plans_current_due")
                    .table(StagePlans::Table)
                    .col(StagePlans::CurrentDue)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StagePlans::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum StagePlans {
    Table,
    Id,
    ProjectId,
    StageKey,
    Position,
    BaselineDue,
    CurrentDue,
    DueFixed,
    EnteredAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
}
