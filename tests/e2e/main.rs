//! End-to-end tests: one binary, real databases (an SQLite file and a fresh PostgreSQL
//! database per test), the real command-line binary.
//!
//! PostgreSQL is `PO_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! When it cannot be reached, its half of each test is skipped with a message — except when
//! `CI` or `PO_TEST_REQUIRE_POSTGRES` is set, where that is a failure: CI never skips.

mod helpers;

mod access;
mod accounts;
mod api;
mod branches;
mod browser;

mod calendars;
mod cli;
mod demo;
mod directory;
mod exports;
mod graphiql;
mod hardening;
mod imports;
mod indicators;
mod migration;
mod nodes;
mod parts;
mod personal;
mod projects;
mod reminders;
mod replicas;
mod responsibles;
mod smtp;
mod stages;
mod subscriptions;
mod tasks;
mod transitions;
mod workflows;
