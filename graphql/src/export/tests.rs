//! CSV quoting, the formula guard, decimal commas and file names.

use super::*;

#[test]
fn csv_quotes_separators_and_defuses_formulas() {
    let table = Table {
        title: "Т",
        columns: "А;Б;В",
        rows: vec![vec![
            Cell::Text("один; два \"три\"".into()),
            Cell::Text("=1+1".into()),
            Cell::Number(87.5),
        ]],
    };
    let text = String::from_utf8(csv(&[table])).expect("utf-8");
    assert_eq!(text, "\u{FEFF}А;Б;В\r\n\"один; два \"\"три\"\"\";'=1+1;87,5\r\n");
    assert_eq!(csv_value(&Cell::Percent(Some(87.46))), "87,5");
    assert_eq!(csv_value(&Cell::Number(100.0)), "100");
}

#[test]
fn filenames_are_percent_encoded() {
    assert_eq!(
        percent_encode("Сводка 2025.csv"),
        "%D0%A1%D0%B2%D0%BE%D0%B4%D0%BA%D0%B0%202025.csv"
    );
}
