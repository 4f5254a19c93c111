//! `checklist_marks`: the state of each checklist item of each stage of a project.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_marks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    #[sea_orm(column_type = "Text")]
    pub stage_key: String,
    #[sea_orm(column_type = "Text")]
    pub item_key: String,
    pub done: bool,
    pub marked_by: Option<i64>,
    pub marked_at: DateTimeUtc,
    /// What the person ticking it said (for an item that needs a document: where it is).
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    /// The person named for this task, if any (see [`crate::service::people`]).
    pub responsible_id: Option<i64>,
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
        belongs_to = "super::users::Entity",
        from = "Column::MarkedBy",
        to = "super::users::Column::Id",
        on_delete = "Restrict"
    )]
    MarkedBy,
}

impl Related<super::projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MarkedBy.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
