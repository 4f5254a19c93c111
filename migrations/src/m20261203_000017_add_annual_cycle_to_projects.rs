//! `projects.annual_cycle`: which occurrence of an annual due date («к 1 сентября») the plan
//! was built for — 0 for the first on or after the start, 1 for the one a year later (chosen
//! at launch when the first would leave earlier stages before the start). Recomputing a plan
//! keeps it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Projects::Table)
                    .add_column(integer(Projects::AnnualCycle).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Projects::Table)
                    .drop_column(Projects::AnnualCycle)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    AnnualCycle,
}
