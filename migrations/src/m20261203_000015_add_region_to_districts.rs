//! `districts.region_code`: the official code of the subject of the Federation a district belongs to (its days off
//! count in the district's deadlines). Nullable: districts created before regions existed
//! keep the federal calendar until someone sets their region.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut column = ColumnDef::new(Districts::RegionCode);
        column.text().null();
        // SQLite cannot add a foreign key to an existing table except inline with the column.
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Sqlite {
            column.extra("REFERENCES regions(code) ON DELETE RESTRICT");
        }
        manager
            .alter_table(Table::alter().table(Districts::Table).add_column(column).to_owned())
            .await?;
        if manager.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::Sqlite {
            manager
                .create_foreign_key(
                    ForeignKey::create()
                        .name("fk_districts_region_code")
                        .from(Districts::Table, Districts::RegionCode)
                        .to(Regions::Table, Regions::Code)
                        .on_delete(ForeignKeyAction::Restrict)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_districts_region_code")
                    .table(Districts::Table)
                    .col(Districts::RegionCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_districts_region_code")
                    .table(Districts::Table)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::Sqlite {
            manager
                .drop_foreign_key(
                    ForeignKey::drop()
                        .name("fk_districts_region_code")
                        .table(Districts::Table)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Districts::Table)
                    .drop_column(Districts::RegionCode)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    RegionCode,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
}
