//! `user_events`: the audit trail of accounts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Whose account.
    pub user_id: i64,
    /// Who did it; empty when the person did it themselves through a link.
    pub actor_id: Option<i64>,
    pub at: DateTimeUtc,
    pub kind: String,
    /// JSON: [`crate::service::accounts::AccountChange`]'s details.
    #[sea_orm(column_type = "Text")]
    pub details: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
