//! `stage_plans`: baseline and current due dates of every stage of a project.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    #[sea_orm(column_type = "Text")]
    pub stage_key: String,
    pub position: i32,
    pub baseline_due: Option<Date>,
    pub current_due: Option<Date>,
    pub due_fixed: bool,
    pub entered_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    /// The person named for the stage, if any (else its owner roles).
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
}

impl Related<super::projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
