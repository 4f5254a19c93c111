//! `checklist_marks`: the state of each checklist item of each stage of a project.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChecklistMarks::Table)
                    .col(big_pk_auto(ChecklistMarks::Id))
                    .col(big_integer(ChecklistMarks::ProjectId))
                    .col(text(ChecklistMarks::StageKey))
                    .col(text(ChecklistMarks::ItemKey))
                    .col(boolean(ChecklistMarks::Done))
                    .col(big_integer_null(ChecklistMarks::MarkedBy))
                    .col(timestamp_with_time_zone(ChecklistMarks::MarkedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_checklist_marks_project_id")
                            .from(ChecklistMarks::Table, ChecklistMarks::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_checklist_marks_marked_by")
                            .from(ChecklistMarks::Table, ChecklistMarks::MarkedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("uq_checklist_marks_project_id_stage_key_item_key")
                    .table(ChecklistMarks::Table)
                    .col(ChecklistMarks::ProjectId)
                    .col(ChecklistMarks::StageKey)
                    .col(ChecklistMarks::ItemKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChecklistMarks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ChecklistMarks {
    Table,
    Id,
    ProjectId,
    StageKey,
    ItemKey,
    Done,
    MarkedBy,
    MarkedAt,
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
