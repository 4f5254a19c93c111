//! The lists that can grow as Relay connections (`edges { cursor node }`, `nodes`,
//! `pageInfo`, `totalCount`), paged forward (`first`, `after`) and backward (`last`,
//! `before`) over the engine's keyset pages ([`engine::service::page`]).
//!
//! async-graphql's generic `Connection` describes its types and fields in fixed English, so
//! each list gets its own connection and edge types from [`connection!`], described in
//! Russian for the thing it lists.
//!
//! A cursor is opaque to clients: URL-safe base64 of the list's tag and the row's place in the
//! list's order (a JSON array). A cursor of another list, or one that was tampered with, is a
//! Russian `VALIDATION` error naming the argument, never a database error.

use async_graphql::{Object, SimpleObject};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use engine::service::{Cursor, Key, Page, PageRequest};

use super::directory::{Organization, User};
use super::indicators::IndicatorReport;
use super::notification::Notification;
use super::project::Project;
use crate::error::invalid;

/// The kind of one value of a list's cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Int,
    Text,
}

/// A paged list: what its cursors carry and how big its pages are.
#[derive(Debug)]
pub struct List {
    /// The field, `Type.field`, as the cost limits name it.
    pub field: &'static str,
    /// Tells this list's cursors from other lists'.
    tag: &'static str,
    shape: &'static [Shape],
    /// The items in the genitive plural, for messages: «проектов».
    pub what: &'static str,
    /// The page size without `first` and `last`.
    pub default_size: u64,
    /// The largest page.
    pub max_size: u64,
}

pub const PROJECTS: List = List {
    field: "Query.projects",
    tag: "p",
    shape: &[Shape::Int],
    what: "проектов",
    default_size: 20,
    max_size: engine::service::MAX_PAGE,
};

/// The project list in the other orders: their cursors carry their keys, so a cursor of one
/// order is refused by another (see [`projects_in`]).
pub const PROJECTS_BY_TITLE: List = List {
    tag: "pt",
    shape: &[Shape::Text, Shape::Int],
    ..PROJECTS
};

pub const PROJECTS_BY_DUE: List = List {
    tag: "pd",
    shape: &[Shape::Text, Shape::Int],
    ..PROJECTS
};

pub const PROJECTS_BY_LATENESS: List = List {
    tag: "pl",
    shape: &[Shape::Int, Shape::Text, Shape::Int],
    ..PROJECTS
};

/// The project list in `order`.
pub fn projects_in(order: engine::service::ProjectOrder) -> &'static List {
    use engine::service::ProjectOrder;
    match order {
        ProjectOrder::Newest => &PROJECTS,
        ProjectOrder::Title => &PROJECTS_BY_TITLE,
        ProjectOrder::Due => &PROJECTS_BY_DUE,
        ProjectOrder::Lateness => &PROJECTS_BY_LATENESS,
    }
}

pub const REPORTS: List = List {
    field: "Query.indicatorReports",
    tag: "r",
    shape: &[Shape::Int, Shape::Int, Shape::Text, Shape::Text, Shape::Int],
    what: "отчётов",
    default_size: 100,
    max_size: engine::service::MAX_REPORT_PAGE,
};

pub const ORGANIZATIONS: List = List {
    field: "Query.organizations",
    tag: "o",
    shape: &[Shape::Text, Shape::Int],
    what: "организаций",
    default_size: 100,
    max_size: engine::service::MAX_ORGANIZATION_PAGE,
};

pub const USERS: List = List {
    field: "Query.users",
    tag: "u",
    shape: &[Shape::Text, Shape::Int],
    what: "пользователей",
    default_size: 100,
    max_size: engine::service::MAX_USER_PAGE,
};

pub const NOTIFICATIONS: List = List {
    field: "Query.notifications",
    tag: "n",
    shape: &[Shape::Int],
    what: "писем",
    default_size: 100,
    max_size: engine::reminders::MAX_NOTIFICATION_PAGE,
};

/// Every paged list, for the cost limits.
pub const LISTS: [&List; 5] = [&PROJECTS, &REPORTS, &ORGANIZATIONS, &NOTIFICATIONS, &USERS];

impl List {
    /// The opaque text of a cursor of this list.
    pub fn encode(&self, cursor: &Cursor) -> String {
        let json = serde_json::to_string(cursor).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(format!("{}{json}", self.tag))
    }

    /// The cursor a client sent back in `argument`, or a `VALIDATION` error.
    pub fn decode(&self, text: &str, argument: &str) -> async_graphql::Result<Cursor> {
        let refused = || {
            invalid(
                argument,
                format!(
                    "«{text}» — не курсор этого списка {}. Передайте `pageInfo.endCursor` или `pageInfo.startCursor` страницы этого же списка.",
                    self.what
                ),
            )
        };
        // The bare project id of the first connection, before cursors were opaque.
        if self.tag == "p"
            && let Ok(id) = text.strip_prefix('p').unwrap_or(text).parse::<i64>()
        {
            return Ok(engine::service::project_cursor(id));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| refused())?;
        let json = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|t| t.strip_prefix(self.tag))
            .ok_or_else(refused)?;
        let cursor: Cursor = serde_json::from_str(json).map_err(|_| refused())?;
        let fits =
            cursor.0.len() == self.shape.len()
                && cursor.0.iter().zip(self.shape).all(|(key, shape)| {
                    matches!((key, shape), (Key::Int(_), Shape::Int) | (Key::Text(_), Shape::Text))
                });
        if fits { Ok(cursor) } else { Err(refused()) }
    }

    /// The page `first`/`after`/`last`/`before` ask for: `first` items after `after`, or
    /// `last` items before `before`, or the first [`List::default_size`] without either.
    /// Both `first` and `last`, or a size outside 1..=[`List::max_size`], are refused.
    pub fn request(
        &self,
        first: Option<i32>,
        after: Option<&str>,
        last: Option<i32>,
        before: Option<&str>,
    ) -> async_graphql::Result<PageRequest> {
        let after = after.map(|c| self.decode(c, "after")).transpose()?;
        let before = before.map(|c| self.decode(c, "before")).transpose()?;
        let take = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "last",
                    "Укажите что-то одно: first (сколько с начала) или last (сколько с конца).",
                ));
            }
            (Some(n), None) => engine::service::Take::First(self.size(n, "first")?),
            (None, Some(n)) => engine::service::Take::Last(self.size(n, "last")?),
            (None, None) => engine::service::Take::First(self.default_size),
        };
        Ok(PageRequest { take, after, before })
    }

    fn size(&self, n: i32, argument: &str) -> async_graphql::Result<u64> {
        match u64::try_from(n) {
            Ok(size) if (1..=self.max_size).contains(&size) => Ok(size),
            _ => Err(invalid(
                argument,
                format!(
                    "Сколько {} вернуть ({argument}): от 1 до {}, а указано {n}.",
                    self.what, self.max_size
                ),
            )),
        }
    }

    /// The cursors of a page's items, its flags and count, with the items made into nodes.
    pub fn parts<T, N>(&self, page: Page<T>, node: impl FnMut(T) -> N) -> Parts<N> {
        let mut node = node;
        Parts {
            edges: page
                .items
                .into_iter()
                .map(|(cursor, item)| (self.encode(&cursor), node(item)))
                .collect(),
            page_info: PageInfo {
                has_previous_page: page.has_previous_page,
                has_next_page: page.has_next_page,
                start_cursor: None,
                end_cursor: None,
            },
            total_count: page.total_count,
        }
    }
}

/// A page made ready for a connection type.
pub struct Parts<N> {
    pub edges: Vec<(String, N)>,
    pub page_info: PageInfo,
    pub total_count: u64,
}

/// Сведения о странице списка: есть ли страницы до и после неё и курсоры её краёв.
#[derive(SimpleObject, Clone)]
pub struct PageInfo {
    /// Есть ли записи перед этой страницей (при `first` — если страница запрошена с `after`).
    pub has_previous_page: bool,
    /// Есть ли записи после этой страницы (при `last` — если страница запрошена с `before`).
    pub has_next_page: bool,
    /// Курсор первой записи страницы: передайте его в `before` за предыдущей страницей; нет —
    /// страница пуста.
    pub start_cursor: Option<String>,
    /// Курсор последней записи страницы: передайте его в `after` за следующей страницей; нет —
    /// страница пуста.
    pub end_cursor: Option<String>,
}

/// A connection and an edge type over `$node`, described in Russian for what they list.
macro_rules! connection {
    (
        $connection:ident, $edge:ident, $node:ty,
        connection: $connection_doc:literal,
        edges: $edges_doc:literal,
        nodes: $nodes_doc:literal,
        total: $total_doc:literal,
        edge: $edge_doc:literal,
        node: $node_doc:literal,
        cursor: $cursor_doc:literal $(,)?
    ) => {
        #[doc = $connection_doc]
        pub struct $connection {
            edges: Vec<$edge>,
            page_info: PageInfo,
            total_count: u64,
        }

        impl From<Parts<$node>> for $connection {
            fn from(parts: Parts<$node>) -> Self {
                let mut page_info = parts.page_info;
                page_info.start_cursor = parts.edges.first().map(|(c, _)| c.clone());
                page_info.end_cursor = parts.edges.last().map(|(c, _)| c.clone());
                $connection {
                    edges: parts
                        .edges
                        .into_iter()
                        .map(|(cursor, node)| $edge { node, cursor })
                        .collect(),
                    page_info,
                    total_count: parts.total_count,
                }
            }
        }

        #[doc = $connection_doc]
        #[Object]
        impl $connection {
            /// Есть ли ещё страницы и курсоры первой и последней записи этой страницы.
            async fn page_info(&self) -> &PageInfo {
                &self.page_info
            }
            #[doc = $edges_doc]
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }
            #[doc = $nodes_doc]
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|e| &e.node).collect()
            }
            #[doc = $total_doc]
            async fn total_count(&self) -> u64 {
                self.total_count
            }
        }

        #[doc = $edge_doc]
        #[derive(SimpleObject)]
        pub struct $edge {
            #[doc = $node_doc]
            pub node: $node,
            #[doc = $cursor_doc]
            pub cursor: String,
        }
    };
}

connection!(
    ProjectConnection, ProjectEdge, Project,
    connection: "Страница списка проектов (соединение по спецификации Relay): проекты с курсорами, сведения о соседних страницах и общее число найденных.",
    edges: "Проекты этой страницы с их курсорами, в порядке списка.",
    nodes: "Проекты этой страницы без курсоров, в том же порядке, что `edges`.",
    total: "Сколько всего проектов подходит под фильтр.",
    edge: "Проект в списке и его курсор.",
    node: "Проект.",
    cursor: "Курсор этого проекта: передайте его в `after` (проекты после него) или `before` (до него).",
);

connection!(
    IndicatorReportConnection, IndicatorReportEdge, IndicatorReport,
    connection: "Страница списка отчётов по показателям (соединение по спецификации Relay): по проекту, организации, показателю и периоду.",
    edges: "Отчёты этой страницы с их курсорами, в порядке списка.",
    nodes: "Отчёты этой страницы без курсоров, в том же порядке, что `edges`.",
    total: "Сколько всего отчётов подходит под фильтр.",
    edge: "Отчёт в списке и его курсор.",
    node: "Отчёт.",
    cursor: "Курсор этого отчёта: передайте его в `after` (отчёты после него) или `before` (до него).",
);

connection!(
    OrganizationConnection, OrganizationEdge, Organization,
    connection: "Страница списка организаций (соединение по спецификации Relay), по названию.",
    edges: "Организации этой страницы с их курсорами, в порядке списка.",
    nodes: "Организации этой страницы без курсоров, в том же порядке, что `edges`.",
    total: "Сколько всего организаций подходит под условия.",
    edge: "Организация в списке и её курсор.",
    node: "Организация.",
    cursor: "Курсор этой организации: передайте его в `after` (организации после неё) или `before` (до неё).",
);

connection!(
    UserConnection, UserEdge, User,
    connection: "Страница списка пользователей (соединение по спецификации Relay), по ФИО.",
    edges: "Пользователи этой страницы с их курсорами, в порядке списка.",
    nodes: "Пользователи этой страницы без курсоров, в том же порядке, что `edges`.",
    total: "Сколько всего пользователей подходит под условия.",
    edge: "Пользователь в списке и его курсор.",
    node: "Пользователь.",
    cursor: "Курсор этого пользователя: передайте его в `after` (пользователи после него) или `before` (до него).",
);

connection!(
    NotificationConnection, NotificationEdge, Notification,
    connection: "Страница очереди писем-напоминаний (соединение по спецификации Relay), новые первыми.",
    edges: "Письма этой страницы с их курсорами, в порядке списка.",
    nodes: "Письма этой страницы без курсоров, в том же порядке, что `edges`.",
    total: "Сколько всего писем подходит под условия.",
    edge: "Письмо в очереди и его курсор.",
    node: "Письмо.",
    cursor: "Курсор этого письма: передайте его в `after` (письма после него) или `before` (до него).",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_belongs_to_its_list() {
        let cursor = Cursor(vec![Key::Text("МБОУ «СОШ № 1»".into()), Key::Int(42)]);
        let text = ORGANIZATIONS.encode(&cursor);
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(ORGANIZATIONS.decode(&text, "after").unwrap(), cursor);
        // Another list's cursor, a reshaped one and garbage are refused.
        assert!(REPORTS.decode(&text, "after").is_err());
        let reshaped = URL_SAFE_NO_PAD.encode(r#"o[42,"МБОУ"]"#);
        assert!(ORGANIZATIONS.decode(&reshaped, "after").is_err());
        assert!(ORGANIZATIONS.decode("not a cursor", "after").is_err());
        // The project list still takes the old bare ids.
        let old = engine::service::project_cursor(42);
        assert_eq!(PROJECTS.decode("p42", "after").unwrap(), old);
        assert_eq!(PROJECTS.decode("42", "after").unwrap(), old);
        assert_eq!(PROJECTS.decode(&PROJECTS.encode(&old), "after").unwrap(), old);
    }

    #[test]
    fn a_page_is_first_or_last_within_its_limit() {
        use engine::service::Take;
        assert_eq!(
            NOTIFICATIONS.request(None, None, None, None).unwrap().take,
            Take::First(100)
        );
        assert_eq!(
            NOTIFICATIONS.request(None, None, Some(5), None).unwrap().take,
            Take::Last(5)
        );
        assert!(NOTIFICATIONS.request(Some(5), None, Some(5), None).is_err());
        assert!(NOTIFICATIONS.request(Some(0), None, None, None).is_err());
        assert!(NOTIFICATIONS.request(None, None, Some(501), None).is_err());
        let message = PROJECTS.request(Some(1000), None, None, None).unwrap_err().message;
        assert_eq!(
            message,
            "Сколько проектов вернуть (first): от 1 до 100, а указано 1000."
        );
    }
}
