//! The project office's domain: workflow definitions, the Russian production calendar and
//! due rules, the stage state machine, indicators and persistence.
//!
//! Callers (the GraphQL server, the CLI, the scheduler) use the services in [`service`] with
//! an [`Actor`] and get plain domain values back; who may do what is [`access`], one table;
//! sea-orm entities never leave this crate.
//! Every service call is one database transaction, and time comes from an injected [`Clock`].

pub mod access;
pub mod auth;
pub mod calendar;
pub mod clock;
pub mod definition;
pub mod demo;
pub mod error;
pub mod health;
pub mod import;
pub mod mail;
pub mod model;
pub mod password;
pub mod period;
pub mod planning;
pub mod registry;
pub mod reminders;
pub mod schedule;
pub mod service;
pub mod store;
pub mod text;

pub use auth::{Actor, Role};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, Result};
pub use service::Engine;
