//! `regions`: the subjects of the Federation, by official code. Filled from the engine's
//! embedded reference data when the server starts (`engine/data/regions.toml`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(big_pk_auto(Regions::Id))
                    .col(text_uniq(Regions::Code))
                    .col(text(Regions::Name))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Regions::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
    Code,
    Name,
}
