//! `indicator_reports`: the current reported value of an indicator for an organization, a
//! project and a period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub organization_id: i64,
    #[sea_orm(column_type = "Text")]
    pub indicator_key: String,
    /// E.g. `2025-Q1`, `2025-03`, `2025`.
    #[sea_orm(column_type = "Text")]
    pub period: String,
    #[sea_orm(column_type = "Double")]
    pub value: f64,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub reported_by: Option<i64>,
    pub reported_at: DateTimeUtc,
    pub revision: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::projects::Entity",
        from = "Column::ProjectId",
        to = "super::projects::Column::Id",
        on_delete = "Cascade"
    )]
    Project,
    #[sea_orm(
        belongs_to = "super::organizations::Entity",
        from = "Column::OrganizationId",
        to = "super::organizations::Column::Id",
        on_delete = "Restrict"
    )]
    Organization,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::ReportedBy",
        to = "super::users::Column::Id",
        on_delete = "Restrict"
    )]
    ReportedBy,
}

impl Related<super::projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl Related<super::organizations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ReportedBy.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
