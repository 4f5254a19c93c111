//! `notifications`: the email outbox.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub dedupe_key: String,
    pub project_id: Option<i64>,
    pub recipient_user_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub recipient_email: String,
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// JSON.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// `pending` | `sending` | `sent` | `failed`.
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub claim_token: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::projects::Entity",
        from = "Column::ProjectId",
        to = "super::projects::Column::Id",
        on_delete = "SetNull"
    )]
    Project,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::RecipientUserId",
        to = "super::users::Column::Id",
        on_delete = "Restrict"
    )]
    RecipientUser,
}

impl Related<super::projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RecipientUser.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
