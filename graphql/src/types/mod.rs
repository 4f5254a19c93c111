//! GraphQL object types: wrappers around engine values with `///` docs that become the
//! schema's descriptions. Related objects load through [`crate::loaders`], so lists cost a
//! fixed number of statements.

pub mod calendar;
pub mod connection;
pub mod dashboard;
pub mod directory;
pub mod enums;
pub mod history;
pub mod indicators;
pub mod node;
pub mod notification;
pub mod project;
pub mod scalars;
pub mod stage;
pub mod workflow;

use async_graphql::ID;

use crate::error::invalid;

/// A numeric id from a GraphQL `ID`, or a `VALIDATION` error naming the field.
pub fn parse_id(id: &ID, field: &str) -> async_graphql::Result<i64> {
    id.parse::<i64>()
        .map_err(|_| invalid(field, format!("«{}» — не идентификатор: ожидается число.", id.as_str())))
}

pub fn to_id(id: i64) -> ID {
    ID(id.to_string())
}
