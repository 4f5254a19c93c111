//! `user_events`: the audit trail of accounts — who created, invited, changed, switched off
//! or on whom, and when a person set or changed their password. `actor_id` is empty for what
//! the person did themselves through a link, or the system did; `details` is JSON (the fields
//! changed, before and after). Rows are only ever added.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let user_fk = |name: &str, column: UserEvents| {
            ForeignKey::create()
                .name(name)
                .from(UserEvents::Table, column)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::Restrict)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(UserEvents::Table)
                    .col(big_pk_auto(UserEvents::Id))
                    .col(big_integer(UserEvents::UserId))
                    .col(big_integer_null(UserEvents::ActorId))
                    .col(timestamp_with_time_zone(UserEvents::At))
                    .col(string_len(UserEvents::Kind, 32))
                    .col(text(UserEvents::Details))
                    .foreign_key(&mut user_fk("fk_user_events_user_id", UserEvents::UserId))
                    .foreign_key(&mut user_fk("fk_user_events_actor_id", UserEvents::ActorId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_user_events_user_id")
                    .table(UserEvents::Table)
                    .col(UserEvents::UserId)
                    .col(UserEvents::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum UserEvents {
    Table,
    Id,
    UserId,
    ActorId,
    At,
    Kind,
    Details,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
