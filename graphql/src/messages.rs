//! Russian for the errors async-graphql reports by itself: a document that does not parse or
//! validate, an argument or variable of the wrong type, an unknown operation. Our own errors
//! (engine errors, limits, refusals) are Russian where they are made and carry their code; these
//! get `extensions.code` `VALIDATION` and, when they concern an input, `extensions.field` with
//! the input's path (`startDate`, `filter.status`; an `input.` prefix is dropped, as in engine
//! errors).
//!
//! Every message template of async-graphql 7.2's parser, validation rules and input coercion
//! that a client of this schema can meet is translated here (the tests list them). Anything
//! else without a code — a template a later version adds — gets a generic Russian message and
//! is logged with the original, so it can be added here.

use async_graphql::{ErrorExtensionValues, ServerError};

/// Gives `error` a code, a Russian message and, for an input, the field — unless it is one of
/// ours (it has a code already).
pub fn russify(error: &mut ServerError) {
    if error.extensions.as_ref().is_some_and(|e| e.get("code").is_some()) {
        return;
    }
    let (message, field) = match translate(&error.message) {
        Some(translated) => translated,
        None => {
            tracing::warn!(message = %error.message, "an error of the GraphQL library without a translation");
            (
                "Запрос не выполнен: в нём ошибка. Проверьте его по схеме (вкладка Docs в GraphiQL).".to_string(),
                None,
            )
        }
    };
    error.message = message;
    let extensions = error.extensions.get_or_insert_with(ErrorExtensionValues::default);
    extensions.set("code", "VALIDATION");
    if let Some(field) = field {
        extensions.set("field", field);
    }
}

/// The Russian message and the input field of an async-graphql message, if it is one we know.
pub fn translate(message: &str) -> Option<(String, Option<String>)> {
    let m = message.trim();
    // The parser's own report: " --> 1:3 | … = expected …".
    if m.starts_with("-->") {
        let at = m
            .trim_start_matches("-->")
            .split_whitespace()
            .next()
            .unwrap_or_default();
        let (line, column) = at.split_once(':').unwrap_or((at, "?"));
        return Some((
            format!(
                "Запрос не разобран: синтаксическая ошибка в строке {line}, позиции {column}. Проверьте скобки, кавычки и запятые."
            ),
            None,
        ));
    }
    let q = quoted(m);
    let q0 = q.first().cloned().unwrap_or_default();
    let q1 = q.get(1).cloned().unwrap_or_default();
    let q2 = q.get(2).cloned().unwrap_or_default();
    let plain = |text: String| Some((text, None));
    if m.starts_with("Unknown field") && m.contains("on type") {
        return plain(format!("У типа «{q1}» нет поля «{q0}».{}", suggestion(m)));
    }
    if m.starts_with("Unknown argument") && m.contains("on field") {
        return plain(format!("У поля «{q1}» нет аргумента «{q0}».{}", suggestion(m)));
    }
    if m.starts_with("Unknown argument") && m.contains("on directive") {
        return plain(format!("У директивы «@{q1}» нет аргумента «{q0}».{}", suggestion(m)));
    }
    if m.starts_with("Field") && m.contains("is required but not provided") {
        return Some((
            format!("Не указан обязательный аргумент «{q1}» поля «{q0}» (тип {}).", q2),
            Some(input_path(&q1)),
        ));
    }
    if m.starts_with("Directive") && m.contains("is required but not provided") {
        return plain(format!("Не указан обязательный аргумент «{q1}» директивы «{q0}»."));
    }
    if let Some(rest) = m.strip_prefix("Invalid value for argument ") {
        let path = q0.clone();
        let reason = rest.split_once(", ").map_or("", |(_, r)| r);
        let why = if reason.starts_with("expected type") {
            format!("ожидается {}", expected(&q1))
        } else if reason.starts_with("unknown field") {
            format!("у типа «{q2}» нет поля «{q1}»")
        } else {
            "значение не подходит по типу".to_string()
        };
        return Some((format!("Неверное значение «{path}»: {why}."), Some(input_path(&path))));
    }
    if let Some(rest) = m.strip_prefix("Failed to parse ") {
        let ty = q0.clone();
        let detail = rest
            .split_once(": ")
            .map_or("", |(_, d)| d)
            .split(" (occurred while parsing")
            .next()
            .unwrap_or_default()
            .trim();
        let text = if has_cyrillic(detail) {
            detail.to_string()
        } else if let Some(limit) = detail.split("less than or equal to ").nth(1) {
            format!(
                "Значение больше допустимого: наибольшее — {}.",
                limit.trim_end_matches('.')
            )
        } else if let Some(limit) = detail.split("greater than or equal to ").nth(1) {
            format!(
                "Значение меньше допустимого: наименьшее — {}.",
                limit.trim_end_matches('.')
            )
        } else {
            format!("Значение не подходит: ожидается {}.", expected(&ty))
        };
        return plain(text);
    }
    if m.starts_with("Variable") && m.contains("is not defined") {
        return plain(format!("Переменная {} не объявлена в операции.", dollar(&q0, m)));
    }
    if m.starts_with("Variable") && m.contains("is not used") {
        return plain(format!("Переменная {} объявлена, но не используется.", dollar(&q0, m)));
    }
    if m.starts_with("Variable") && m.contains("used in position expecting type") {
        return plain(format!(
            "Переменная {} типа {q1} стоит там, где нужен тип {q2}.",
            dollar(&q0, m)
        ));
    }
    if m.starts_with("Variable") && m.contains("cannot be of non-input type") {
        return plain(format!(
            "Переменная {} не может быть типа «{q1}»: это не входной тип.",
            dollar(&q0, m)
        ));
    }
    if m.starts_with("There can only be one variable named") {
        return plain(format!("Переменная {} объявлена дважды.", dollar(&q0, m)));
    }
    if m.starts_with("There can only be one argument named") {
        return plain(format!("Аргумент «{q0}» указан дважды."));
    }
    if m.starts_with("Unknown type") {
        return plain(format!("Неизвестный тип «{q0}»."));
    }
    if m.starts_with("Unknown fragment") {
        return plain(format!("Фрагмент «{q0}» не определён."));
    }
    if m.starts_with("Fragment") && m.contains("is never used") {
        return plain(format!("Фрагмент «{q0}» определён, но не используется."));
    }
    if m.starts_with("Cannot spread fragment") {
        return plain(format!("Фрагмент «{q0}» включает сам себя (цикл фрагментов)."));
    }
    if m.starts_with("Fragment") && m.contains("cannot be spread here") {
        return plain("Фрагмент нельзя применить здесь: его тип не совпадает с типом поля.".to_string());
    }
    if m.starts_with("Fragment") && m.contains("cannot condition non composite type") {
        return plain("Фрагмент можно задать только для объекта, а не для скалярного типа.".to_string());
    }
    if m.starts_with("Fields") && m.contains("conflict") {
        return plain(format!(
            "Поля «{q0}» конфликтуют: под одним именем в ответе разные поля или аргументы. Дайте им разные псевдонимы."
        ));
    }
    if m.starts_with("Field") && m.contains("must not have a selection") {
        return plain(format!(
            "У поля «{q0}» (тип {q1}) нет вложенных полей: уберите фигурные скобки после него."
        ));
    }
    if m.starts_with("Field") && m.contains("must have a selection of subfields") {
        return plain(format!(
            "Для поля «{q0}» (тип {q1}) укажите вложенные поля в фигурных скобках."
        ));
    }
    if m.starts_with("Unknown directive") {
        return plain(format!("Неизвестная директива «@{}».", q0.trim_start_matches('@')));
    }
    if m.starts_with("Directive") && m.contains("may not be used on") {
        return plain(format!(
            "Директиву «@{}» здесь применить нельзя.",
            q0.trim_start_matches('@')
        ));
    }
    if m.starts_with("Duplicate directive") {
        return plain(format!("Директива «@{}» указана дважды.", q0.trim_start_matches('@')));
    }
    if m.starts_with("Unknown operation named") {
        return plain(format!("Операции «{q0}» в документе нет: проверьте operationName."));
    }
    if m.starts_with("Operation name required") {
        return plain("В документе несколько операций: укажите, какую выполнить (operationName).".to_string());
    }
    if m.starts_with("Schema is not configured for") {
        return plain("Такие операции эта схема не поддерживает.".to_string());
    }
    if m.starts_with("The Upload type") {
        return plain("Загрузка файлов этой операцией не поддерживается.".to_string());
    }
    None
}

/// The parts of `message` between double quotes, in order.
fn quoted(message: &str) -> Vec<String> {
    message
        .split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect()
}

/// «Возможно, вы имели в виду …?» from async-graphql's « Did you mean "a", "b" or "c"?».
fn suggestion(message: &str) -> String {
    let Some((_, names)) = message.split_once("Did you mean") else {
        return String::new();
    };
    let names: Vec<String> = quoted(names).into_iter().map(|n| format!("«{n}»")).collect();
    if names.is_empty() {
        return String::new();
    }
    format!(" Возможно, имелось в виду {}?", names.join(", "))
}

/// A variable's name with its `$` (async-graphql writes some with and some without).
fn dollar(quoted_name: &str, message: &str) -> String {
    let name = if quoted_name.is_empty() {
        message.split_whitespace().nth(1).unwrap_or_default().to_string()
    } else {
        quoted_name.to_string()
    };
    format!("${}", name.trim_start_matches('$'))
}

/// An argument path as the engine names fields: `input.startDate` → `startDate`.
fn input_path(path: &str) -> String {
    path.strip_prefix("input.").unwrap_or(path).to_string()
}

/// What a value of the GraphQL type `ty` looks like, in Russian.
fn expected(ty: &str) -> String {
    let name = ty
        .trim_end_matches('!')
        .trim_start_matches('[')
        .trim_end_matches(['!', ']']);
    let what = match name {
        "Int" => "целое число".to_string(),
        "Float" => "число".to_string(),
        "String" => "строка".to_string(),
        "Boolean" => "true или false".to_string(),
        "ID" => "идентификатор".to_string(),
        "Date" => "существующая дата в виде ГГГГ-ММ-ДД, например 2027-09-01".to_string(),
        "DateTime" => "существующий момент времени в формате RFC 3339, например 2027-09-01T09:00:00+03:00".to_string(),
        other => format!("значение типа {other}"),
    };
    if ty.ends_with('!') && !ty.starts_with('[') {
        format!("{what} (обязательно)")
    } else {
        what
    }
}

fn has_cyrillic(text: &str) -> bool {
    text.chars().any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each template of async-graphql 7.2 that a client can meet, as it prints it.
    const TEMPLATES: &[&str] = &[
        " --> 1:3\n  |\n1 | { me\n  |   ^---\n  |\n  = expected selection",
        r#"Unknown field "titel" on type "Project". Did you mean "title"?"#,
        r#"Unknown argument "frist" on field "projects" of type "Query". Did you mean "first"?"#,
        r#"Unknown argument "x" on directive "include"."#,
        r#"Field "project" argument "id" of type "ID!" is required but not provided"#,
        r#"Directive "@include" argument "if" of type "Boolean!" is required but not provided"#,
        r#"Invalid value for argument "input.startDate", expected type "Date""#,
        r#"Invalid value for argument "filter.colour", unknown field "colour" of type "ProjectFilterInput""#,
        r#"Failed to parse "Int": the value is 1000, must be less than or equal to 100"#,
        r#"Failed to parse "Int": the value is 0, must be greater than or equal to 1"#,
        r#"Failed to parse "Date": Дата должна быть в виде ГГГГ-ММ-ДД, например 2027-09-01. (occurred while parsing "LaunchProjectInput")"#,
        r#"Failed to parse "ID": Invalid number"#,
        r#"Variable "$d" is not defined"#,
        r#"Variable "$d" is not defined by operation "Q""#,
        "Variable d is not defined.",
        r#"Variable "$d" is not used"#,
        r#"Variable "$d" is not used by operation "Q""#,
        r#"Variable "$d" of type "Int" used in position expecting type "ID""#,
        r#"Variable "d" cannot be of non-input type "Project""#,
        r#"There can only be one variable named "$d""#,
        r#"There can only be one argument named "id""#,
        r#"Unknown type "Projekt""#,
        r#"Unknown fragment: "F""#,
        r#"Fragment "F" is never used"#,
        r#"Cannot spread fragment "F""#,
        r#"Fragment "F" cannot be spread here as objects of type "User" can never be of type "Project""#,
        r#"Fragment cannot condition non composite type "Int""#,
        r#"Fields "a" conflict because "title" and "status" are different fields. Use different aliases on the fields to fetch both if this was intentional."#,
        r#"Field "title" must not have a selection since type "String!" has no subfields"#,
        r#"Field "me" of type "User!" must have a selection of subfields"#,
        r#"Unknown directive "defer""#,
        r#"Directive "include" may not be used on "QUERY""#,
        r#"Duplicate directive "include""#,
        r#"Unknown operation named "Other""#,
        "Operation name required in request.",
        "Schema is not configured for subscriptions.",
    ];

    #[test]
    fn every_template_becomes_russian() {
        for template in TEMPLATES {
            let (message, _) = translate(template).unwrap_or_else(|| panic!("no translation for {template}"));
            assert!(has_cyrillic(&message), "{template} → {message}");
            for english in ["expected", "Unknown", "Failed", "occurred", "argument"] {
                assert!(!message.contains(english), "{template} → {message}");
            }
        }
    }

    #[test]
    fn input_errors_name_their_field() {
        let field = |m: &str| translate(m).and_then(|(_, f)| f);
        assert_eq!(
            field(r#"Invalid value for argument "input.startDate", expected type "Date""#).as_deref(),
            Some("startDate")
        );
        assert_eq!(
            field(r#"Invalid value for argument "filter.colour", unknown field "colour" of type "ProjectFilterInput""#)
                .as_deref(),
            Some("filter.colour")
        );
        assert_eq!(
            field(r#"Field "project" argument "id" of type "ID!" is required but not provided"#).as_deref(),
            Some("id")
        );
        let (message, _) =
            translate(r#"Unknown field "titel" on type "Project". Did you mean "title"?"#).expect("known");
        assert_eq!(
            message,
            "У типа «Project» нет поля «titel». Возможно, имелось в виду «title»?"
        );
        let (message, _) = translate(" --> 3:14\n  |").expect("known");
        assert!(message.contains("строке 3, позиции 14"), "{message}");
    }

    #[test]
    fn our_own_errors_are_left_as_they_are() {
        let mut error =
            crate::error::invalid("first", "Сколько вернуть: от 1 до 100.").into_server_error(Default::default());
        russify(&mut error);
        assert_eq!(error.message, "Сколько вернуть: от 1 до 100.");
        let mut unknown = ServerError::new("Something new", None);
        russify(&mut unknown);
        assert!(has_cyrillic(&unknown.message));
        assert_eq!(
            unknown.extensions.as_ref().and_then(|e| e.get("code")).cloned(),
            Some(async_graphql::Value::from("VALIDATION"))
        );
    }
}
