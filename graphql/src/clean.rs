//! Inputs cleaned at the edge: before an operation is validated or run, every string it
//! passes — in an argument literal or in a variable an argument takes — is checked, and the
//! request is refused with a Russian `VALIDATION` error naming the input when a string
//!
//! - holds a character no person means to type ([`engine::text::forbidden_character`]: NUL and
//!   other control characters, zero-width and bidirectional controls), or
//! - is longer than [`MAX_STRING`] characters (the services have tighter limits of their own:
//!   500 for names and titles, 2000 for comments).
//!
//! The document is walked once (each fragment definition once, however often it is spread), so
//! the check costs as much as reading the document.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Pos, ServerError, ServerResult, Value, Variables};

/// The longest string any input may be, in characters.
pub const MAX_STRING: usize = 10_000;

/// The extension that applies the check to every operation.
pub struct CleanInputs;

impl ExtensionFactory for CleanInputs {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CleanInputsExtension)
    }
}

struct CleanInputsExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for CleanInputsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        check_document(&document, variables)?;
        Ok(document)
    }
}

/// The first unclean string of `document`'s arguments (with `variables` filled in).
pub fn check_document(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    for (_, operation) in document.operations.iter() {
        check_set(&operation.node.selection_set.node, variables)?;
    }
    for fragment in document.fragments.values() {
        check_set(&fragment.node.selection_set.node, variables)?;
    }
    Ok(())
}

fn check_set(set: &SelectionSet, variables: &Variables) -> ServerResult<()> {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                for (name, value) in &field.node.arguments {
                    let Ok(value) = value.node.clone().into_const_with(|variable| {
                        Ok::<_, std::convert::Infallible>(variables.get(&variable).cloned().unwrap_or(Value::Null))
                    });
                    check_value(&value, name.node.as_str(), name.pos)?;
                }
                check_set(&field.node.selection_set.node, variables)?;
            }
            Selection::InlineFragment(inline) => check_set(&inline.node.selection_set.node, variables)?,
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn check_value(value: &Value, path: &str, pos: Pos) -> ServerResult<()> {
    match value {
        Value::String(text) => check_string(text, path, pos),
        Value::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_value(item, &format!("{path}.{i}"), pos)),
        Value::Object(fields) => fields
            .iter()
            .try_for_each(|(key, item)| check_value(item, &format!("{path}.{key}"), pos)),
        _ => Ok(()),
    }
}

fn check_string(text: &str, path: &str, pos: Pos) -> ServerResult<()> {
    let field = path.strip_prefix("input.").unwrap_or(path);
    let message = if let Some(c) = engine::text::forbidden_character(text) {
        format!(
            "В поле «{field}» есть {}: удалите его (часто он попадает при копировании) и отправьте значение заново.",
            engine::text::describe(c)
        )
    } else if text.chars().count() > MAX_STRING {
        format!("Поле «{field}» длиннее {MAX_STRING} знаков: сократите его.")
    } else {
        return Ok(());
    };
    let mut error = ServerError::new(message, Some(pos));
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", "VALIDATION");
    extensions.set("field", field);
    error.extensions = Some(extensions);
    Err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, variables: serde_json::Value) -> Result<(), (String, String)> {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        check_document(&document, &Variables::from_json(variables)).map_err(|e| {
            let field = e
                .extensions
                .as_ref()
                .and_then(|x| x.get("field"))
                .map(|f| f.to_string().trim_matches('"').to_string())
                .unwrap_or_default();
            (e.message, field)
        })
    }

    #[test]
    fn strings_in_literals_and_variables_are_checked_with_their_path() {
        assert!(
            check(
                r#"{ organizations(districtId: "1") { nodes { id } } }"#,
                serde_json::json!({})
            )
            .is_ok()
        );
        let (message, field) = check(
            "mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }",
            serde_json::json!({ "i": { "name": "МБОУ СОШ\u{200b} № 1", "districtId": "1", "kind": "SCHOOL" } }),
        )
        .expect_err("a zero-width space");
        assert_eq!(field, "name");
        assert!(message.contains("невидимый символ U+200B"), "{message}");
        let (_, field) = check(r#"{ workflow(key: "a\u0000b") { key } }"#, serde_json::json!({})).expect_err("NUL");
        assert_eq!(field, "key");
        let long = "я".repeat(MAX_STRING + 1);
        let (message, _) = check(
            "query($k: String!) { workflow(key: $k) { key } }",
            serde_json::json!({ "k": long }),
        )
        .expect_err("too long");
        assert!(message.contains("длиннее"), "{message}");
        let (_, field) = check(
            "fragment F on Query { workflow(key: \"\u{202e}x\") { key } } { ...F }",
            serde_json::json!({}),
        )
        .expect_err("in a fragment");
        assert_eq!(field, "key");
    }
}
