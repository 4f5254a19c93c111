//! `password_links`: invitation and reset links, by the SHA-256 of their token.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// `invitation` or `reset`.
    pub purpose: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Who sent an invitation; empty for a reset the person asked for.
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// When the link was used, or replaced by a newer one.
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
