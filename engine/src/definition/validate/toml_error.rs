//! What the TOML parser and serde refuse, explained in Russian and located at a key path.

/// The key assigned on the line holding byte `offset` (`owners` in `owners = ["x"]`), if any.
pub(super) fn key_on_line(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    match line.split_once('=') {
        Some((key, _)) if !line.trim_start().starts_with('[') => key.trim(),
        _ => "",
    }
}

/// The path of the table that contains byte `offset`, as validation messages name it:
/// `stages[2]`, `reminders`, `transitions[0].guards`; empty at the top level.
pub(super) fn table_path_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    // The header line itself belongs to its table, so look up to the end of the current line.
    let line_end = text[before.len()..].find('\n').map_or(text.len(), |i| before.len() + i);
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut current = String::new();
    for line in text[..line_end].lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let name = name.trim().to_string();
            let n = counts.entry(name.clone()).and_modify(|c| *c += 1).or_insert(0);
            current = format!("{name}[{n}]");
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            // A sub-table of the last array entry (`[transitions.guards]`) or a plain table.
            let name = name.trim();
            current = match name.rsplit_once('.') {
                Some((parent, child)) if counts.contains_key(parent) => format!("{parent}[{}].{child}", counts[parent]),
                _ => name.to_string(),
            };
        }
    }
    current
}

/// Turns serde's and toml's English into a Russian message that says what to fix, and finds
/// the key it concerns.
pub(super) fn explain_toml_error(message: &str, line_key: &str) -> (String, String) {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let at_key = line_key.to_string();
    if message.starts_with("unknown field") {
        let allowed = quoted.get(1..).unwrap_or_default().join(", ");
        let key = quoted.first().copied().unwrap_or("?").to_string();
        return (
            key.clone(),
            format!(
                "неизвестный ключ «{key}»; допустимые ключи здесь: {allowed}. Исправьте опечатку или удалите ключ."
            ),
        );
    }
    if message.starts_with("missing field") {
        let key = quoted.first().copied().unwrap_or("?").to_string();
        return (
            key.clone(),
            format!("не хватает обязательного ключа «{key}»: добавьте его."),
        );
    }
    if message.starts_with("unknown variant") {
        let value = quoted.first().copied().unwrap_or("?");
        let allowed = quoted.get(1..).unwrap_or_default().join(", ");
        return (
            at_key,
            format!("недопустимое значение «{value}»; допустимые: {allowed}."),
        );
    }
    if message.contains("duplicate key") {
        // A table given twice (`[reminders]` … `[reminders]`) is quoted as "".
        let key = quoted
            .iter()
            .find(|s| !s.is_empty())
            .map(|s| s.to_string())
            .unwrap_or(at_key);
        return (
            key.clone(),
            format!("ключ «{key}» повторяется: оставьте одно значение."),
        );
    }
    if message.starts_with("invalid type") {
        return (
            at_key,
            format!(
                "неверный тип значения ({}); проверьте кавычки, числа и списки.",
                message.trim()
            ),
        );
    }
    (at_key, format!("ошибка синтаксиса TOML: {}", message.trim()))
}
