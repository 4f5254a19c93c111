//! `calendar_days`: days off and working days entered by people for the whole country, a
//! region or a district, each citing its act. Removing one keeps the row (`removed_at`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CalendarDays::Table)
                    .col(big_pk_auto(CalendarDays::Id))
                    // Both null: the whole country.
                    .col(text_null(CalendarDays::RegionCode))
                    .col(big_integer_null(CalendarDays::DistrictId))
                    .col(date(CalendarDays::Date))
                    .col(boolean(CalendarDays::Working))
                    .col(text(CalendarDays::Title))
                    .col(text(CalendarDays::ActNumber))
                    .col(date(CalendarDays::ActDate))
                    .col(text(CalendarDays::ActTitle).default(""))
                    .col(big_integer_null(CalendarDays::CreatedBy))
                    .col(timestamp_with_time_zone(CalendarDays::CreatedAt))
                    .col(timestamp_with_time_zone_null(CalendarDays::RemovedAt))
                    .col(big_integer_null(CalendarDays::RemovedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_calendar_days_region_code")
                            .from(CalendarDays::Table, CalendarDays::RegionCode)
                            .to(Regions::Table, Regions::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_calendar_days_district_id")
                            .from(CalendarDays::Table, CalendarDays::DistrictId)
                            .to(Districts::Table, Districts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_calendar_days_created_by")
                            .from(CalendarDays::Table, CalendarDays::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_calendar_days_removed_by")
                            .from(CalendarDays::Table, CalendarDays::RemovedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_calendar_days_date")
                    .table(CalendarDays::Table)
                    .col(CalendarDays::Date)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CalendarDays::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CalendarDays {
    Table,
    Id,
    RegionCode,
    DistrictId,
    Date,
    Working,
    Title,
    ActNumber,
    ActDate,
    ActTitle,
    CreatedBy,
    CreatedAt,
    RemovedAt,
    RemovedBy,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
