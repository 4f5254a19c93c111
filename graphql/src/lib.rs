//! The GraphQL API and HTTP server (async-graphql on axum) over the engine's services.
//!
//! The contract is DESIGN.md "GraphQL contract"; it is built in the API issue. This crate
//! owns converting engine values to GraphQL objects and engine errors to `extensions.code`
//! with a Russian message; it never talks SQL.
