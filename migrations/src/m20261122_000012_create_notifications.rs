//! `notifications`: the email outbox — one row per email to send, deduplicated by key and
//! claimed by status and next attempt time.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(big_pk_auto(Notifications::Id))
                    .col(text_uniq(Notifications::DedupeKey))
                    .col(big_integer_null(Notifications::ProjectId))
                    .col(big_integer_null(Notifications::RecipientUserId))
                    .col(text(Notifications::RecipientEmail))
                    .col(text(Notifications::Kind))
                    // JSON
                    .col(text(Notifications::Payload))
                    // pending | sent | failed
                    .col(text(Notifications::Status))
                    .col(integer(Notifications::Attempts).default(0))
                    .col(timestamp_with_time_zone(Notifications::NextAttemptAt))
                    .col(text_null(Notifications::LastError))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::SentAt))
                    // Which delivery run holds the row while it sends (status `sending`);
                    // the run's lease ends at `next_attempt_at`, after which another may take it.
                    .col(text_null(Notifications::ClaimToken))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_project_id")
                            .from(Notifications::Table, Notifications::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_recipient_user_id")
                            .from(Notifications::Table, Notifications::RecipientUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_status_next_attempt_at")
                    .table(Notifications::Table)
                    .col(Notifications::Status)
                    .col(Notifications::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Notifications::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    DedupeKey,
    ProjectId,
    RecipientUserId,
    RecipientEmail,
    Kind,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
    ClaimToken,
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
