//! `password_links`: the single-use links with which a person sets their password — an
//! invitation (a new account) or a reset («Забыли пароль?»). Only the SHA-256 of the link's
//! token is kept, so the table does not hold usable links; `used_at` is set when the link is
//! used or replaced by a newer one, and a row is never reused.
//!
//! `link_requests`: every «Забыли пароль?» request, registered address or not (the address as
//! its SHA-256, the client as the server saw it), for the per-address and per-client limits;
//! rows older than a day are of no use and are deleted as new ones come.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let user_fk = |name: &str, column: PasswordLinks| {
            ForeignKey::create()
                .name(name)
                .from(PasswordLinks::Table, column)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::Restrict)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(PasswordLinks::Table)
                    .col(big_pk_auto(PasswordLinks::Id))
                    .col(big_integer(PasswordLinks::UserId))
                    .col(string_len(PasswordLinks::Purpose, 16))
                    .col(string_len_uniq(PasswordLinks::TokenHash, 64))
                    .col(big_integer_null(PasswordLinks::CreatedBy))
                    .col(timestamp_with_time_zone(PasswordLinks::CreatedAt))
                    .col(timestamp_with_time_zone(PasswordLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordLinks::UsedAt))
                    .foreign_key(&mut user_fk("fk_password_links_user_id", PasswordLinks::UserId))
                    .foreign_key(&mut user_fk("fk_password_links_created_by", PasswordLinks::CreatedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_password_links_user_id")
                    .table(PasswordLinks::Table)
                    .col(PasswordLinks::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LinkRequests::Table)
                    .col(big_pk_auto(LinkRequests::Id))
                    .col(timestamp_with_time_zone(LinkRequests::At))
                    .col(string_len(LinkRequests::EmailHash, 64))
                    .col(string_len(LinkRequests::Client, 64))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_link_requests_email_hash", LinkRequests::EmailHash),
            ("idx_link_requests_client", LinkRequests::Client),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(LinkRequests::Table)
                        .col(column)
                        .col(LinkRequests::At)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LinkRequests::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PasswordLinks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum PasswordLinks {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum LinkRequests {
    Table,
    Id,
    At,
    EmailHash,
    Client,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
