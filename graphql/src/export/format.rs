//! Writing tables as CSV (for Russian Excel) and XLSX.

use super::*;

/// A number with a decimal comma, as the Russian locale writes it.
fn decimal(value: f64) -> String {
    value.to_string().replace('.', ",")
}

/// The CSV text of a cell (unquoted).
pub(super) fn csv_value(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Text(s) if s.starts_with(['=', '+', '-', '@']) => Cow::Owned(format!("'{s}")),
        Cell::Text(s) => Cow::Borrowed(s),
        Cell::Number(v) => Cow::Owned(decimal(*v)),
        Cell::Percent(v) => Cow::Owned(v.map_or_else(String::new, |v| format!("{v:.1}").replace('.', ","))),
        Cell::DateTime(at) => Cow::Owned(at.format("%d.%m.%Y %H:%M").to_string()),
        Cell::Date(d) => Cow::Owned(d.format("%d.%m.%Y").to_string()),
    }
}

fn csv_line<'a>(out: &mut String, fields: impl Iterator<Item = Cow<'a, str>>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(';');
        }
        if field.contains([';', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ') {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}

/// The CSV file: a byte-order mark, then the tables; several are titled and separated by a
/// blank line (see the module docs).
pub(super) fn csv(tables: &[Table]) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    let titled = tables.len() > 1;
    for (i, table) in tables.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        if titled {
            csv_line(&mut out, std::iter::once(Cow::Borrowed(table.title)));
        }
        csv_line(&mut out, table.columns.split(';').map(Cow::Borrowed));
        for row in &table.rows {
            csv_line(&mut out, row.iter().map(csv_value));
        }
    }
    out.into_bytes()
}

/// The XLSX file: one worksheet per table.
pub(super) fn xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xDD_EB_F7))
        .set_border_bottom(FormatBorder::Thin);
    let datetime = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let percent = Format::new().set_num_format("0.0");
    let mut workbook = Workbook::new();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.title)?;
        let mut widths: Vec<usize> = table.columns.split(';').map(|c| c.chars().count() + 1).collect();
        for (col, title) in (0u16..).zip(table.columns.split(';')) {
            sheet.write_string_with_format(0, col, title, &header)?;
        }
        for (row, cells) in (1u32..).zip(&table.rows) {
            for ((col, cell), width) in (0u16..).zip(cells).zip(widths.iter_mut()) {
                *width = (*width).max(csv_value(cell).chars().count());
                match cell {
                    Cell::Text(s) => sheet.write_string(row, col, s)?,
                    Cell::Number(v) => sheet.write_number(row, col, *v)?,
                    Cell::Percent(Some(v)) => {
                        sheet.write_number_with_format(row, col, (v * 10.0).round() / 10.0, &percent)?
                    }
                    Cell::Percent(None) => sheet,
                    Cell::DateTime(at) => sheet.write_datetime_with_format(row, col, at, &datetime)?,
                    Cell::Date(d) => sheet.write_datetime_with_format(row, col, d, &date)?,
                };
            }
        }
        for (col, width) in (0u16..).zip(&widths) {
            sheet.set_column_width(col, (*width + 2).clamp(8, 60) as f64)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let last_col = u16::try_from(widths.len().saturating_sub(1)).unwrap_or(0);
        let last_row = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
        sheet.autofilter(0, 0, last_row, last_col)?;
    }
    workbook.save_to_buffer()
}
