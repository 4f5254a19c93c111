//! `organizations`: schools, kindergartens, additional-education centres and methodical
//! services of a district.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(big_pk_auto(Organizations::Id))
                    .col(big_integer(Organizations::DistrictId))
                    .col(text(Organizations::Name))
                    // school | kindergarten | additional_education | methodical_service | other
                    .col(text(Organizations::Kind))
                    .col(text_null(Organizations::Email))
                    .col(timestamp_with_time_zone(Organizations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organizations_district_id")
                            .from(Organizations::Table, Organizations::DistrictId)
                            .to(Districts::Table, Districts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("uq_organizations_district_id_name")
                    .table(Organizations::Table)
                    .col(Organizations::DistrictId)
                    .col(Organizations::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_organizations_district_id")
                    .table(Organizations::Table)
                    .col(Organizations::DistrictId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organizations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    DistrictId,
    Name,
    Kind,
    Email,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
}
