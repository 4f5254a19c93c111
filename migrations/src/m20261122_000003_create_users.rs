//! `users`: people who sign in — administrators, district coordinators, school directors and
//! observers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    // stored lower-case
                    .col(text_uniq(Users::Email))
                    .col(text(Users::FullName))
                    .col(text_null(Users::PasswordHash))
                    // admin | coordinator | director | observer
                    .col(text(Users::Role))
                    .col(big_integer_null(Users::DistrictId))
                    .col(big_integer_null(Users::OrganizationId))
                    .col(boolean(Users::Active).default(true))
                    // Consecutive failed sign-ins and the last one: sign-in slows down after
                    // several failures (engine::service::sessions).
                    .col(integer(Users::FailedLogins).default(0))
                    .col(timestamp_with_time_zone_null(Users::LastFailedLoginAt))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_district_id")
                            .from(Users::Table, Users::DistrictId)
                            .to(Districts::Table, Districts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_organization_id")
                            .from(Users::Table, Users::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_users_district_id")
                    .table(Users::Table)
                    .col(Users::DistrictId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_users_organization_id")
                    .table(Users::Table)
                    .col(Users::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    FullName,
    PasswordHash,
    Role,
    DistrictId,
    OrganizationId,
    FailedLogins,
    LastFailedLoginAt,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}
