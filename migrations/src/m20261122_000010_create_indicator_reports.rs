//! `indicator_reports`: the current value an organization reported for an indicator of a
//! project in a period; earlier values live in `indicator_report_revisions`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IndicatorReports::Table)
                    .col(big_pk_auto(IndicatorReports::Id))
                    .col(big_integer(IndicatorReports::ProjectId))
                    .col(big_integer(IndicatorReports::OrganizationId))
                    .col(text(IndicatorReports::IndicatorKey))
                    // e.g. 2025-Q1, 2025-03, 2025
                    .col(text(IndicatorReports::Period))
                    .col(double(IndicatorReports::Value))
                    .col(text_null(IndicatorReports::Comment))
                    .col(big_integer_null(IndicatorReports::ReportedBy))
                    .col(timestamp_with_time_zone(IndicatorReports::ReportedAt))
                    .col(integer(IndicatorReports::Revision))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_reports_project_id")
                            .from(IndicatorReports::Table, IndicatorReports::ProjectId)
                            .to(Projects::Table, Projects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_reports_organization_id")
                            .from(IndicatorReports::Table, IndicatorReports::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_reports_reported_by")
                            .from(IndicatorReports::Table, IndicatorReports::ReportedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("uq_indicator_reports_project_org_indicator_period")
                    .table(IndicatorReports::Table)
                    .col(IndicatorReports::ProjectId)
                    .col(IndicatorReports::OrganizationId)
                    .col(IndicatorReports::IndicatorKey)
                    .col(IndicatorReports::Period)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_indicator_reports_project_indicator_period")
                    .table(IndicatorReports::Table)
                    .col(IndicatorReports::ProjectId)
                    .col(IndicatorReports::IndicatorKey)
                    .col(IndicatorReports::Period)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IndicatorReports::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IndicatorReports {
    Table,
    Id,
    ProjectId,
    OrganizationId,
    IndicatorKey,
    Period,
    Value,
    Comment,
    ReportedBy,
    ReportedAt,
    Revision,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
