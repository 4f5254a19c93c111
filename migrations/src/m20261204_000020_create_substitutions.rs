//! `substitutions`: «замещение на время отпуска» — from `starts_on` to `ends_on` (both
//! inclusive, in the district's days) the reminders of `user_id` go also to `substitute_id`.
//! Ending one early keeps the row (`cancelled_at`), so who stood in for whom stays known.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let user_fk = |name: &str, column: Substitutions| {
            ForeignKey::create()
                .name(name)
                .from(Substitutions::Table, column)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::Restrict)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(Substitutions::Table)
                    .col(big_pk_auto(Substitutions::Id))
                    .col(big_integer(Substitutions::UserId))
                    .col(big_integer(Substitutions::SubstituteId))
                    .col(date(Substitutions::StartsOn))
                    .col(date(Substitutions::EndsOn))
                    .col(big_integer_null(Substitutions::CreatedBy))
                    .col(timestamp_with_time_zone(Substitutions::CreatedAt))
                    .col(timestamp_with_time_zone_null(Substitutions::CancelledAt))
                    .col(big_integer_null(Substitutions::CancelledBy))
                    .foreign_key(&mut user_fk("fk_substitutions_user_id", Substitutions::UserId))
                    .foreign_key(&mut user_fk(
                        "fk_substitutions_substitute_id",
                        Substitutions::SubstituteId,
                    ))
                    .foreign_key(&mut user_fk("fk_substitutions_created_by", Substitutions::CreatedBy))
                    .foreign_key(&mut user_fk(
                        "fk_substitutions_cancelled_by",
                        Substitutions::CancelledBy,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_substitutions_user_id")
                    .table(Substitutions::Table)
                    .col(Substitutions::UserId)
                    .col(Substitutions::EndsOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Substitutions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Substitutions {
    Table,
    Id,
    UserId,
    SubstituteId,
    StartsOn,
    EndsOn,
    CreatedBy,
    CreatedAt,
    CancelledAt,
    CancelledBy,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
