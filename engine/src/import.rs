//! Reading the spreadsheet a district keeps of its organizations: an XLSX workbook (its first
//! sheet) or a CSV file, into rows of text with the header's columns found by their Russian
//! titles.
//!
//! CSV as Excel writes it in Russia: `;` between values (a `,` file works too — the header
//! decides), UTF-8 with or without a byte-order mark, or Windows-1251 when the file is not
//! UTF-8. Numbers in XLSX cells (a phone typed as a number) are written without `.0`.
//!
//! The columns, in any order, found by words of their titles in any case:
//! «Название организации», «Тип», «ФИО руководителя», «Почта руководителя» (e-mail),
//! «Телефон», and «Район» for a file of several districts. [`TEMPLATE_HEADERS`] is the
//! template's header.

use calamine::{Data, Reader};

use crate::error::{Error, Result};

/// The columns of the import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    District,
    Name,
    Kind,
    DirectorName,
    DirectorEmail,
    Phone,
}

impl Column {
    /// The column's title, as messages name it.
    pub fn title(self) -> &'static str {
        match self {
            Column::District => "Район",
            Column::Name => "Название организации",
            Column::Kind => "Тип",
            Column::DirectorName => "ФИО руководителя",
            Column::DirectorEmail => "Почта руководителя",
            Column::Phone => "Телефон",
        }
    }

    /// Which column a header cell is, by its words.
    fn of_header(text: &str) -> Option<Column> {
        let t = crate::text::search_key(text.trim());
        if t.contains("район") || t.contains("округ") {
            Some(Column::District)
        } else if t.contains("почт") || t.contains("mail") {
            Some(Column::DirectorEmail)
        } else if t.contains("телефон") {
            Some(Column::Phone)
        } else if t.contains("фио") || t.contains("руководител") || t.contains("директор") {
            Some(Column::DirectorName)
        } else if t.starts_with("тип") || t.contains("вид") {
            Some(Column::Kind)
        } else if t.contains("назван") || t.contains("наименован") || t == "организация" {
            Some(Column::Name)
        } else {
            None
        }
    }
}

/// The template's header, in order.
pub const TEMPLATE_HEADERS: [Column; 5] = [
    Column::Name,
    Column::Kind,
    Column::DirectorName,
    Column::DirectorEmail,
    Column::Phone,
];

/// The words a «Тип» cell may hold, by kind (the first is the template's example).
pub const KIND_WORDS: &[(crate::model::OrganizationKind, &[&str])] = {
    use crate::model::OrganizationKind as K;
    &[
        (
            K::School,
            &["школа", "сош", "оош", "нош", "гимназия", "лицей", "общеобразовательная"],
        ),
        (K::Kindergarten, &["детский сад", "доу", "сад", "дошкольная"]),
        (
            K::AdditionalEducation,
            &[
                "дополнительное образование",
                "дополнительного",
                "удо",
                "цдо",
                "ддт",
                "дюсш",
                "доп",
            ],
        ),
        (
            K::MethodicalService,
            &["методическая служба", "ммс", "имц", "методический", "методическая"],
        ),
        (K::Other, &["другая", "другое", "иная", "прочее"]),
    ]
};

/// The kind a «Тип» cell names, if it names one.
pub fn kind_of(text: &str) -> Option<crate::model::OrganizationKind> {
    let t = crate::text::search_key(text.trim());
    if t.is_empty() {
        return None;
    }
    KIND_WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| t == *w || t.starts_with(w)))
        .map(|(k, _)| *k)
}

/// One data row: its line in the file (1 is the header) and its cells by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    cells: Vec<(Column, String)>,
}

impl Row {
    /// The cell of `column`, trimmed; empty when the file has no such column.
    pub fn get(&self, column: Column) -> &str {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map_or("", |(_, v)| v.trim())
    }
}

/// The rows of a file, and which columns it has.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// The most rows one file may have.
pub const MAX_ROWS: usize = 20_000;

/// Reads `bytes` as XLSX when `file_name` ends in `.xlsx` (or the bytes are a ZIP), else as
/// CSV. A file that cannot be read is a Russian error saying what to do.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Table> {
    let lower = file_name.to_lowercase();
    let cells = if lower.ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        xlsx_cells(bytes)?
    } else if lower.ends_with(".xls") {
        return Err(Error::invalid(
            "Файл в старом формате Excel (.xls): сохраните его как «Книга Excel (.xlsx)» или «CSV (разделители — точка с запятой)» и загрузите снова.",
        ));
    } else {
        csv_cells(bytes)?
    };
    table(cells)
}

fn table(cells: Vec<Vec<String>>) -> Result<Table> {
    let mut lines = cells.into_iter().enumerate();
    let header = loop {
        match lines.next() {
            Some((_, row)) if row.iter().all(|c| c.trim().is_empty()) => continue,
            Some((_, row)) => break row,
            None => return Err(Error::invalid("Файл пуст: в нём нет ни строки заголовка, ни данных.")),
        }
    };
    let columns: Vec<Option<Column>> = header.iter().map(|h| Column::of_header(h)).collect();
    let found: Vec<Column> = columns.iter().flatten().copied().collect();
    for needed in [Column::Name, Column::Kind] {
        if !found.contains(&needed) {
            return Err(Error::invalid(format!(
                "В первой строке нет столбца «{}». Нужны столбцы: {}. Скачайте шаблон и перенесите данные в него.",
                needed.title(),
                TEMPLATE_HEADERS
                    .iter()
                    .map(|c| format!("«{}»", c.title()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let mut rows = Vec::new();
    for (index, cells) in lines {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(Error::invalid(format!(
                "В файле больше {MAX_ROWS} строк: разделите его на несколько."
            )));
        }
        let cells = columns
            .iter()
            .zip(cells)
            .filter_map(|(c, v)| c.map(|c| (c, v)))
            .collect();
        rows.push(Row { line: index + 1, cells });
    }
    Ok(Table { columns: found, rows })
}

fn xlsx_cells(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let unreadable = |_| {
        Error::invalid(
            "Файл Excel не читается: откройте его в Excel или LibreOffice, сохраните как «Книга Excel (.xlsx)» и загрузите снова.",
        )
    };
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).map_err(unreadable)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| Error::invalid("В файле Excel нет ни одного листа."))?
        .map_err(unreadable)?;
    Ok(range.rows().map(|row| row.iter().map(cell_text).collect()).collect())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "да" } else { "нет" }.to_owned(),
        other => other.to_string(),
    }
}

fn csv_cells(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned(),
    };
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::invalid(format!(
                "Строка {line} файла CSV не читается (непарная кавычка?): исправьте её или сохраните файл из Excel заново."
            ))
        })?;
        out.push(record.iter().map(str::to_owned).collect());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OrganizationKind;

    #[test]
    fn a_semicolon_csv_in_windows_1251_is_read_by_its_header() {
        let text = "Тип;Название организации;ФИО руководителя;Почта руководителя;Телефон\r\nСОШ;МБОУ «СОШ № 1»;Иванова Мария;ivanova@school1.ru;83512000000\r\n;;;;\r\nдетский сад;МБДОУ «Ромашка»;;;\r\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let table = read("школы.csv", &bytes).unwrap();
        assert_eq!(table.rows.len(), 2);
        let first = &table.rows[0];
        assert_eq!((first.line, first.get(Column::Name)), (2, "МБОУ «СОШ № 1»"));
        assert_eq!(first.get(Column::DirectorEmail), "ivanova@school1.ru");
        assert_eq!(table.rows[1].line, 4, "the blank line counts");
        assert_eq!(kind_of(first.get(Column::Kind)), Some(OrganizationKind::School));
        assert_eq!(
            kind_of(table.rows[1].get(Column::Kind)),
            Some(OrganizationKind::Kindergarten)
        );
        assert_eq!(kind_of("ракетная база"), None);
    }

    #[test]
    fn a_file_without_the_needed_columns_says_which() {
        let err = read("x.csv", "Школа,Директор\nСОШ 1,Иванов\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("«Название организации»"), "{err}");
        let err = read("x.xls", b"\xD0\xCF\x11\xE0").unwrap_err();
        assert!(err.to_string().contains(".xlsx"), "{err}");
    }
}
