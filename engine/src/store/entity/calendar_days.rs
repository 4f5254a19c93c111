//! `calendar_days`: days off and working days entered by people, each citing its act.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_days")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Both `region_code` and `district_id` null: the whole country.
    #[sea_orm(column_type = "Text", nullable)]
    pub region_code: Option<String>,
    pub district_id: Option<i64>,
    pub date: Date,
    pub working: bool,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub act_number: String,
    pub act_date: Date,
    #[sea_orm(column_type = "Text")]
    pub act_title: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub removed_at: Option<DateTimeUtc>,
    pub removed_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
