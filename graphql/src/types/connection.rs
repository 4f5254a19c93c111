//! The list of projects as a Relay connection (`edges { cursor node }`, `nodes`, `pageInfo`,
//! plus `totalCount`).
//!
//! async-graphql's generic `Connection` describes its types and fields in fixed English; these
//! are the same shapes with the same names, described for our clients.

use async_graphql::{Object, SimpleObject};

use super::project::Project;

/// An opaque cursor over the project list: `p` and the project id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProjectCursor(pub i64);

impl ProjectCursor {
    /// The cursor a client sent back, or `None` when it is not one of ours. A bare id is
    /// accepted too, as it always was.
    pub fn decode(text: &str) -> Option<Self> {
        text.strip_prefix('p').unwrap_or(text).parse().ok().map(ProjectCursor)
    }

    pub fn encode(self) -> String {
        format!("p{}", self.0)
    }
}

/// A page of projects.
pub struct ProjectConnection {
    edges: Vec<ProjectEdge>,
    has_previous_page: bool,
    has_next_page: bool,
    total_count: u64,
}

impl ProjectConnection {
    /// A page of `projects`; `has_previous_page` when it was asked for after a cursor.
    pub fn new(projects: Vec<Project>, has_previous_page: bool, has_next_page: bool, total_count: u64) -> Self {
        let edges = projects
            .into_iter()
            .map(|node| ProjectEdge {
                cursor: ProjectCursor(node.project.id).encode(),
                node,
            })
            .collect();
        ProjectConnection {
            edges,
            has_previous_page,
            has_next_page,
            total_count,
        }
    }
}

/// Страница списка проектов (соединение по спецификации Relay): проекты с курсорами,
/// сведения о следующей странице и общее число найденных.
#[Object]
impl ProjectConnection {
    /// Есть ли ещё страницы и курсоры первого и последнего проекта этой страницы.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            start_cursor: self.edges.first().map(|e| e.cursor.clone()),
            end_cursor: self.edges.last().map(|e| e.cursor.clone()),
        }
    }
    /// Проекты этой страницы с их курсорами, в порядке списка.
    async fn edges(&self) -> &[ProjectEdge] {
        &self.edges
    }
    /// Проекты этой страницы без курсоров, в том же порядке, что `edges`.
    async fn nodes(&self) -> Vec<&Project> {
        self.edges.iter().map(|e| &e.node).collect()
    }
    /// Сколько всего проектов подходит под фильтр.
    async fn total_count(&self) -> u64 {
        self.total_count
    }
}

/// Проект в списке и его курсор.
#[derive(SimpleObject)]
pub struct ProjectEdge {
    /// Проект.
    pub node: Project,
    /// Курсор этого проекта: передайте его в `after`, чтобы получить проекты после него.
    pub cursor: String,
}

/// Сведения о странице списка.
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Есть ли проекты перед этой страницей (`true`, если она запрошена с `after`).
    pub has_previous_page: bool,
    /// Есть ли следующая страница.
    pub has_next_page: bool,
    /// Курсор первого проекта страницы; нет — страница пуста.
    pub start_cursor: Option<String>,
    /// Курсор последнего проекта страницы: передайте его в `after` за следующей страницей;
    /// нет — страница пуста.
    pub end_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::ProjectCursor;

    #[test]
    fn a_cursor_round_trips_and_a_bare_id_is_accepted() {
        assert_eq!(ProjectCursor(42).encode(), "p42");
        assert_eq!(ProjectCursor::decode("p42"), Some(ProjectCursor(42)));
        assert_eq!(ProjectCursor::decode("42"), Some(ProjectCursor(42)));
        assert_eq!(ProjectCursor::decode("abc"), None);
    }
}
