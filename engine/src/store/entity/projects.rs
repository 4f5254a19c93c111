//! `projects`: instances of a workflow version in a district.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub workflow_version_id: i64,
    pub district_id: i64,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub start_date: Date,
    #[sea_orm(column_type = "Text")]
    pub current_stage: String,
    /// `active` | `completed` | `cancelled`.
    #[sea_orm(column_type = "Text")]
    pub status: String,
    /// Optimistic concurrency: bumped by every change to the project.
    pub row_version: i32,
    /// JSON object: indicator key → target.
    #[sea_orm(column_type = "Text")]
    pub indicator_targets: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// Which occurrence of an annual due date the plan counts from (0: the first).
    pub annual_cycle: i32,
    /// «Ответственный за проект»: a user of the district, if one is named.
    pub responsible_id: Option<i64>,
    /// The title folded for search ([`crate::text::search_key`]).
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::workflow_versions::Entity",
        from = "Column::WorkflowVersionId",
        to = "super::workflow_versions::Column::Id",
        on_delete = "Restrict"
    )]
    WorkflowVersion,
    #[sea_orm(
        belongs_to = "super::districts::Entity",
        from = "Column::DistrictId",
        to = "super::districts::Column::Id",
        on_delete = "Restrict"
    )]
    District,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::CreatedBy",
        to = "super::users::Column::Id",
        on_delete = "Restrict"
    )]
    CreatedBy,
}

impl Related<super::workflow_versions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkflowVersion.def()
    }
}

impl Related<super::districts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::District.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreatedBy.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
