//! `workflow_versions`: immutable registered versions of workflow definitions.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text")]
    pub key: String,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub scope: String,
    #[sea_orm(column_type = "Text")]
    pub fingerprint: String,
    /// The validated definition, as JSON.
    #[sea_orm(column_type = "Text")]
    pub definition: String,
    /// The TOML as read.
    #[sea_orm(column_type = "Text")]
    pub source: String,
    /// The file name the TOML was read from.
    #[sea_orm(column_type = "Text")]
    pub source_name: String,
    pub registered_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
