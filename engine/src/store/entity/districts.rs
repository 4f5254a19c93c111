//! `districts`: the tenant boundary.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "districts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub name: String,
    /// IANA time zone name, e.g. `Asia/Yekaterinburg`.
    #[sea_orm(column_type = "Text")]
    pub time_zone: String,
    /// The official code of the subject of the Federation; `None` for a district created before regions existed.
    #[sea_orm(column_type = "Text", nullable)]
    pub region_code: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
