//! What a person's text may contain. Names, titles, comments and every other string that comes
//! in (the API checks all of them at its edge, the services the ones they keep) are refused
//! when they hold a character nobody can see or type on purpose:
//!
//! - control characters (U+0000–U+001F, U+007F–U+009F) other than tab and line breaks — a NUL
//!   is also something PostgreSQL cannot store in text;
//! - zero-width characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E, U+00AD soft hyphen)
//!   and bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069): with
//!   them «МБОУ СОШ № 1» and the same name with a zero-width space look the same but are
//!   two names, so a look-alike duplicate would slip past a uniqueness check, and a bidi
//!   override can make a text read differently from what it is.

/// `text` folded for search: lower case, «ё» as «е» («Ёлочка» and «елочка» match). Neither
/// SQLite's `LIKE` nor its `lower()` folds Cyrillic, so titles are stored folded
/// (`projects.search_text`) and searched with the needle folded the same way. Migration 22
/// folded existing titles with this rule; a change here needs a migration that refolds.
pub fn search_key(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

/// The condition that a folded column (`search_key` of its text) contains every word of
/// `words`, anywhere, in any case; `%`, `_` and `\` are themselves, not wildcards. Blank words
/// are no condition.
pub(crate) fn contains_words<C>(column: C, words: &str) -> sea_orm::Condition
where
    C: sea_orm::sea_query::IntoColumnRef + Clone,
{
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    let mut condition = sea_orm::Condition::all();
    for word in search_key(words).split_whitespace() {
        let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        condition = condition.add(Expr::col(column.clone()).like(LikeExpr::new(format!("%{escaped}%")).escape('\\')));
    }
    condition
}

/// A user's name and email as the user list searches and orders them.
pub fn user_search_key(full_name: &str, email: &str) -> String {
    search_key(&format!("{full_name} {email}"))
}

/// The first character of `text` a person's text must not contain, if any.
pub fn forbidden_character(text: &str) -> Option<char> {
    text.chars().find(|&c| is_forbidden(c))
}

fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{ad}' | '\u{61c}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// A Russian description of a forbidden character, with its code point: «невидимый символ
/// U+200B».
pub fn describe(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    let kind = match c {
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => "управляющий символ",
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            "символ направления письма"
        }
        _ => "невидимый символ",
    };
    format!("{kind} {code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_russian_text_passes_and_invisible_characters_do_not() {
        for ok in ["МБОУ «СОШ № 1» — филиал", "Строка 1\nСтрока 2\tконец\r\n", "ё Ё № € 😀"]
        {
            assert_eq!(forbidden_character(ok), None, "{ok:?}");
        }
        for (bad, c) in [
            ("NUL\u{0}", '\u{0}'),
            ("СОШ\u{200b} № 1", '\u{200b}'),
            ("\u{feff}СОШ", '\u{feff}'),
            ("abc\u{202e}cba", '\u{202e}'),
            ("bell\u{7}", '\u{7}'),
            ("мяг\u{ad}кий", '\u{ad}'),
        ] {
            assert_eq!(forbidden_character(bad), Some(c), "{bad:?}");
        }
        assert_eq!(describe('\u{200b}'), "невидимый символ U+200B");
        assert_eq!(describe('\u{0}'), "управляющий символ U+0000");
        assert_eq!(describe('\u{202e}'), "символ направления письма U+202E");
    }
}
