//! `districts`: the tenant boundary, with the IANA time zone its deadlines are counted in.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Districts::Table)
                    .col(big_pk_auto(Districts::Id))
                    .col(text_uniq(Districts::Name))
                    .col(text(Districts::TimeZone))
                    .col(timestamp_with_time_zone(Districts::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Districts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
    Name,
    TimeZone,
    CreatedAt,
}
