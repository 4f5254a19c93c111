//! `indicator_report_revisions`: every value an indicator report has had.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_report_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub report_id: i64,
    pub revision: i32,
    #[sea_orm(column_type = "Double")]
    pub value: f64,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub reported_by: Option<i64>,
    pub reported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::indicator_reports::Entity",
        from = "Column::ReportId",
        to = "super::indicator_reports::Column::Id",
        on_delete = "Cascade"
    )]
    Report,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::ReportedBy",
        to = "super::users::Column::Id",
        on_delete = "Restrict"
    )]
    ReportedBy,
}

impl Related<super::indicator_reports::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Report.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ReportedBy.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
