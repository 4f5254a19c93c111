//! Keyset paging of the lists that can grow (projects, indicator reports, organizations, the
//! outbox), forward and backward, as the Relay connection spec describes it.
//!
//! Each list has a fixed order over columns that are unique together (the row id is the
//! last of them where the others are not). A [`Cursor`] is the values of those columns for
//! one row; the rows after it are those whose tuple compares greater in the list's order —
//! one row-value comparison (`(a, b) > (?, ?)`), which SQLite (since 3.15) and PostgreSQL
//! both evaluate with the index. Keyset rather than offset: a page stays right while rows
//! are added in front of it, and the thousandth page costs what the first does.
//!
//! `after` and `before` narrow the list; then `first` takes from its start or `last` from
//! its end. `has_previous_page` with `first` (and `has_next_page` with `last`) says whether a
//! cursor was given, which the spec allows instead of a second query.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// One value of a cursor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Key {
    Int(i64),
    Text(String),
}

impl From<i64> for Key {
    fn from(v: i64) -> Self {
        Key::Int(v)
    }
}

impl From<&str> for Key {
    fn from(v: &str) -> Self {
        Key::Text(v.to_owned())
    }
}

impl From<String> for Key {
    fn from(v: String) -> Self {
        Key::Text(v)
    }
}

impl Key {
    fn expr(&self) -> Expr {
        match self {
            Key::Int(v) => Expr::val(*v),
            Key::Text(v) => Expr::val(v.clone()),
        }
    }
}

/// The position of a row in its list: the values of the list's order columns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(pub Vec<Key>);

/// How many rows to take, and from which end of the narrowed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// The first `n` rows.
    First(u64),
    /// The last `n` rows (still returned in the list's order).
    Last(u64),
}

/// Which page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub take: Take,
    /// Only rows after this one.
    pub after: Option<Cursor>,
    /// Only rows before this one.
    pub before: Option<Cursor>,
}

impl PageRequest {
    /// The first `n` rows after `after` (from the start without it).
    pub fn first(n: u64, after: Option<Cursor>) -> Self {
        PageRequest {
            take: Take::First(n),
            after,
            before: None,
        }
    }

    /// The last `n` rows before `before` (from the end without it).
    pub fn last(n: u64, before: Option<Cursor>) -> Self {
        PageRequest {
            take: Take::Last(n),
            after: None,
            before,
        }
    }

    fn size(&self, max: u64) -> u64 {
        match self.take {
            Take::First(n) | Take::Last(n) => n.clamp(1, max),
        }
    }
}

/// One page of a list, in the list's order, each row with its cursor.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(Cursor, T)>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
    /// How many rows the whole list (before `after`/`before`) has.
    pub total_count: u64,
}

impl<T> Page<T> {
    /// The same page of other values; `f` may fail (a row that does not convert).
    pub fn try_map<U>(self, mut f: impl FnMut(T) -> Result<U>) -> Result<Page<U>> {
        Ok(Page {
            items: self
                .items
                .into_iter()
                .map(|(c, t)| Ok((c, f(t)?)))
                .collect::<Result<_>>()?,
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            total_count: self.total_count,
        })
    }

    /// The same page with its values replaced, in order, by `values` (made from
    /// [`Page::values`] by a batch load).
    pub fn with_values<U>(self, values: Vec<U>) -> Page<U> {
        Page {
            items: self.items.into_iter().map(|(c, _)| c).zip(values).collect(),
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            total_count: self.total_count,
        }
    }

    /// The values of the page without cursors.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.items.iter().map(|(_, t)| t)
    }
}

/// The order of a list: its columns (unique together), all ascending or all descending.
pub(crate) struct ListOrder<C> {
    pub columns: Vec<C>,
    pub descending: bool,
}

/// A page of `select` (already filtered to what the caller may read) in `order`: a count and
/// one query of at most `size + 1` rows.
pub(crate) async fn fetch<E, C>(
    db: &C,
    select: Select<E>,
    order: &ListOrder<E::Column>,
    request: &PageRequest,
    max: u64,
    cursor_of: impl Fn(&E::Model) -> Cursor,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let size = request.size(max);
    let total_count = select.clone().count(db).await?;
    let tuple = || Expr::tuple(order.columns.iter().map(|c| Expr::col(*c)));
    let values = |cursor: &Cursor| Expr::tuple(cursor.0.iter().map(Key::expr));
    let mut select = select;
    if let Some(after) = &request.after {
        select = select.filter(if order.descending {
            tuple().lt(values(after))
        } else {
            tuple().gt(values(after))
        });
    }
    if let Some(before) = &request.before {
        select = select.filter(if order.descending {
            tuple().gt(values(before))
        } else {
            tuple().lt(values(before))
        });
    }
    let backward = matches!(request.take, Take::Last(_));
    // Backward pages read the list from its end, then turn round.
    let direction = if order.descending != backward {
        Order::Desc
    } else {
        Order::Asc
    };
    for column in &order.columns {
        select = select.order_by(*column, direction.clone());
    }
    let mut rows = select.limit(size + 1).all(db).await?;
    let more = rows.len() as u64 > size;
    rows.truncate(size as usize);
    if backward {
        rows.reverse();
    }
    let (has_previous_page, has_next_page) = if backward {
        (more, request.before.is_some())
    } else {
        (request.after.is_some(), more)
    };
    Ok(Page {
        items: rows.into_iter().map(|r| (cursor_of(&r), r)).collect(),
        has_previous_page,
        has_next_page,
        total_count,
    })
}

/// The same page over rows already read and sorted in the list's order (for lists filtered
/// by a computed value, such as projects by health).
pub(crate) fn in_memory<T>(
    rows: Vec<T>,
    descending: bool,
    request: &PageRequest,
    max: u64,
    cursor_of: impl Fn(&T) -> Cursor,
) -> Page<T> {
    let size = request.size(max) as usize;
    let total_count = rows.len() as u64;
    let beyond = |c: &Cursor, bound: &Cursor| if descending { c < bound } else { c > bound };
    let mut narrowed: Vec<(Cursor, T)> = rows
        .into_iter()
        .map(|r| (cursor_of(&r), r))
        .filter(|(c, _)| request.after.as_ref().is_none_or(|a| beyond(c, a)))
        .filter(|(c, _)| request.before.as_ref().is_none_or(|b| beyond(b, c)))
        .collect();
    let more = narrowed.len() > size;
    let (has_previous_page, has_next_page) = match request.take {
        Take::First(_) => {
            narrowed.truncate(size);
            (request.after.is_some(), more)
        }
        Take::Last(_) => {
            narrowed.drain(..narrowed.len().saturating_sub(size));
            (more, request.before.is_some())
        }
    };
    Page {
        items: narrowed,
        has_previous_page,
        has_next_page,
        total_count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(page: &Page<i64>) -> Vec<i64> {
        page.values().copied().collect()
    }

    fn cursor(id: i64) -> Cursor {
        Cursor(vec![Key::Int(id)])
    }

    #[test]
    fn in_memory_pages_go_both_ways_in_a_descending_list() {
        let rows: Vec<i64> = (1..=7).rev().collect();
        let page = |r: PageRequest| in_memory(rows.clone(), true, &r, 100, |id| cursor(*id));
        let first = page(PageRequest::first(3, None));
        assert_eq!(ids(&first), [7, 6, 5]);
        assert!(!first.has_previous_page && first.has_next_page);
        let second = page(PageRequest::first(3, Some(cursor(5))));
        assert_eq!(ids(&second), [4, 3, 2]);
        assert!(second.has_previous_page && second.has_next_page);
        let last = page(PageRequest::last(3, None));
        assert_eq!(ids(&last), [3, 2, 1]);
        assert!(last.has_previous_page && !last.has_next_page);
        let before = page(PageRequest::last(3, Some(cursor(3))));
        assert_eq!(ids(&before), [6, 5, 4]);
        assert!(before.has_previous_page && before.has_next_page);
        let start = page(PageRequest::last(5, Some(cursor(4))));
        assert_eq!(ids(&start), [7, 6, 5]);
        assert!(!start.has_previous_page);
        assert_eq!(start.total_count, 7);
        let between = page(PageRequest {
            take: Take::First(10),
            after: Some(cursor(6)),
            before: Some(cursor(3)),
        });
        assert_eq!(ids(&between), [5, 4]);
    }

    #[test]
    fn a_cursor_is_a_json_array_of_its_values() {
        let c = Cursor(vec![Key::Text("Школа № 1".into()), Key::Int(42)]);
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"["Школа № 1",42]"#);
        assert_eq!(serde_json::from_str::<Cursor>(&text).unwrap(), c);
    }
}
