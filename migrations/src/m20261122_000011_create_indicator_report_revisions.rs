//! `indicator_report_revisions`: every value an indicator report has had, so a correction keeps
//! the earlier value in history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IndicatorReportRevisions::Table)
                    .col(big_pk_auto(IndicatorReportRevisions::Id))
                    .col(big_integer(IndicatorReportRevisions::ReportId))
                    .col(integer(IndicatorReportRevisions::Revision))
                    .col(double(IndicatorReportRevisions::Value))
                    .col(text_null(IndicatorReportRevisions::Comment))
                    .col(big_integer_null(IndicatorReportRevisions::ReportedBy))
                    .col(timestamp_with_time_zone(IndicatorReportRevisions::ReportedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_report_revisions_report_id")
                            .from(IndicatorReportRevisions::Table, IndicatorReportRevisions::ReportId)
                            .to(IndicatorReports::Table, IndicatorReports::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_report_revisions_reported_by")
                            .from(IndicatorReportRevisions::Table, IndicatorReportRevisions::ReportedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("uq_indicator_report_revisions_report_id_revision")
                    .table(IndicatorReportRevisions::Table)
                    .col(IndicatorReportRevisions::ReportId)
                    .col(IndicatorReportRevisions::Revision)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IndicatorReportRevisions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IndicatorReportRevisions {
    Table,
    Id,
    ReportId,
    Revision,
    Value,
    Comment,
    ReportedBy,
    ReportedAt,
}

#[derive(DeriveIden)]
enum IndicatorReports {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
