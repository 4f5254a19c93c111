//! `link_requests`: «Забыли пароль?» requests, for their rate limits.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "link_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    /// SHA-256 of the normalized address asked for, registered or not.
    pub email_hash: String,
    /// The client as the server saw it (its IP address).
    pub client: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
