//! The Relay `Node` interface: an object any client can refetch by one opaque id.
//!
//! **Decision: the global id is a second field, `nodeId`, and `id` stays the row's number.**
//! The numeric `id` is in every link the system has already sent: reminder emails, `.ics`
//! files, CSV and XLSX exports, bookmarks of the web interface (`/projects/42`), and the
//! subscription's `after` (history ids are ordered). Turning `id` into an opaque string would
//! break all of them, or keep two spellings of one id alive forever. So, as PostGraphile does,
//! the objects a client can refetch implement `Node { nodeId: ID! }`, and `node(id:)` takes
//! that `nodeId`. Relay takes the store key from the `Node` interface's one id field (the
//! compiler's `nodeInterfaceIdField`), so its store never merges District 1 with Project 1;
//! Apollo and urql key by `__typename` and `id` as they always do.
//!
//! A `nodeId` is URL-safe base64 of `Type:key` (`Project:42`, `Workflow:tochka-rosta@2`). It
//! is opaque: clients keep and send it back, never build it. A `nodeId` that is not one, or
//! names a type without `Node`, is a Russian `VALIDATION` error naming the argument.

use async_graphql::{ID, Interface};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::directory::{District, Organization};
use super::project::Project;
use super::workflow::Workflow;
use crate::error::invalid;

/// Объект, который можно заново получить по глобальному идентификатору `nodeId` через
/// `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "node_id",
    ty = "ID",
    desc = "Глобальный идентификатор: один на весь API, не совпадает у объектов разных типов. \
            Передайте его в `node(id:)`, чтобы получить объект заново."
))]
pub enum Node {
    Project(Project),
    Organization(Organization),
    District(District),
    Workflow(Workflow),
}

/// The kinds of objects behind a `nodeId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Project,
    Organization,
    District,
    Workflow,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Project, Kind::Organization, Kind::District, Kind::Workflow];

    fn name(self) -> &'static str {
        match self {
            Kind::Project => "Project",
            Kind::Organization => "Organization",
            Kind::District => "District",
            Kind::Workflow => "Workflow",
        }
    }
}

/// The `nodeId` of one object.
pub fn node_id(kind: Kind, key: impl std::fmt::Display) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", kind.name())))
}

/// What a `nodeId` names: its kind and its key within the kind, or a `VALIDATION` error on
/// `field`.
pub fn parse_node_id(id: &ID, field: &str) -> async_graphql::Result<(Kind, String)> {
    let wrong = || not_a_node_id(id, field);
    let text = URL_SAFE_NO_PAD
        .decode(id.as_str())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(wrong)?;
    let (name, key) = text.split_once(':').ok_or_else(wrong)?;
    let kind = Kind::ALL.into_iter().find(|k| k.name() == name).ok_or_else(wrong)?;
    if key.is_empty() {
        return Err(wrong());
    }
    Ok((kind, key.to_owned()))
}

/// The numeric key of a `nodeId` of a row-backed kind.
pub fn numeric_key(key: &str, id: &ID, field: &str) -> async_graphql::Result<i64> {
    key.parse::<i64>().map_err(|_| not_a_node_id(id, field))
}

pub fn not_a_node_id(id: &ID, field: &str) -> async_graphql::Error {
    invalid(
        field,
        format!(
            "«{}» — не глобальный идентификатор: передайте значение поля `nodeId`, полученное от API.",
            id.as_str()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_round_trip_and_differ_across_kinds() {
        for kind in Kind::ALL {
            let id = node_id(kind, 1);
            assert_eq!(parse_node_id(&id, "id").unwrap(), (kind, "1".to_owned()));
        }
        let ids: std::collections::HashSet<_> = Kind::ALL.into_iter().map(|k| node_id(k, 1).0).collect();
        assert_eq!(ids.len(), Kind::ALL.len(), "one number, four kinds, four ids");
        let workflow = node_id(Kind::Workflow, "tochka-rosta@2");
        assert_eq!(
            parse_node_id(&workflow, "id").unwrap(),
            (Kind::Workflow, "tochka-rosta@2".to_owned())
        );
    }

    #[test]
    fn anything_else_is_a_russian_validation_error_on_the_argument() {
        let bare = ID("42".into());
        let unknown = ID(URL_SAFE_NO_PAD.encode("HistoryEntry:1"));
        let empty = ID(URL_SAFE_NO_PAD.encode("Project:"));
        for id in [bare, unknown, empty, ID("%%%".into())] {
            let err = parse_node_id(&id, "id").unwrap_err();
            assert!(err.message.contains("не глобальный идентификатор"), "{}", err.message);
            let ext = format!("{:?}", err.extensions);
            assert!(ext.contains("VALIDATION") && ext.contains("\"id\""), "{ext}");
        }
    }
}
