//! `substitutions`: who stands in for whom, from which day to which (inclusive).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "substitutions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The person away.
    pub user_id: i64,
    /// The person standing in.
    pub substitute_id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancelled_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
