//! `calendar_releases`: the fingerprints of the calendar data (federal decrees and regional
//! days off) that the stored plans were computed with. A server built with new data sees a
//! new fingerprint at start, recomputes the open due dates and records the release.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CalendarReleases::Table)
                    .col(big_pk_auto(CalendarReleases::Id))
                    .col(text_uniq(CalendarReleases::Fingerprint))
                    .col(text(CalendarReleases::Summary))
                    .col(timestamp_with_time_zone(CalendarReleases::AppliedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CalendarReleases::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CalendarReleases {
    Table,
    Id,
    Fingerprint,
    Summary,
    AppliedAt,
}
