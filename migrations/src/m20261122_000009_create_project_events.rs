//! `project_events`: the history of a project — every transition, reschedule and other change,
//! with who, when and why.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProjectEvents::Table)
                    .col(big_pk_auto(ProjectEvents::Id))
                    .col(big_integer(ProjectEvents::ProjectId))
                    .col(timestamp_with_time_zone(ProjectEvents::At))
                    .col(big_integer_null(ProjectEvents::ActorId))
                    .col(text(ProjectEvents::Kind))
                    .col(text_null(ProjectEvents::FromStage))
                    .col(text_null(ProjectEvents::ToStage))
                    .col(text_null(ProjectEvents::StageKey))
                    .col(text_null(ProjectEvents::Comment))
                    // JSON
                    .col(text_null(ProjectEvents::Details))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_events_project_id")
                            .from(ProjectEvents::Table, ProjectEvents::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_project_events_actor_id")
                            .from(ProjectEvents::Table, ProjectEvents::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_project_events_project_id_at")
                    .table(ProjectEvents::Table)
                    .col(ProjectEvents::ProjectId)
                    .col(ProjectEvents::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProjectEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProjectEvents {
    Table,
    Id,
    ProjectId,
    At,
    ActorId,
    Kind,
    FromStage,
    ToStage,
    StageKey,
    Comment,
    Details,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
