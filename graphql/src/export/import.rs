//! Uploads of the organizations file ([`engine::service::ImportRequest`]), beside the
//! downloads, with the same caller, errors and limits:
//!
//! - `GET /import/organizations-template.xlsx` — the template: the header, an example row, and
//!   a sheet of the words the «Тип» column takes;
//! - `POST /import/organizations?fileName=&districtId=` with the file as the request body
//!   (XLSX or CSV, up to the server's body limit, 1 MB by default — 2 400 organizations with
//!   their directors take about 450 KB as CSV) — the plan as JSON, writing nothing: `counts`, `lines` (each row's
//!   organization and director with `action` `CREATE`, `UPDATE` or `UNCHANGED`) and
//!   `problems` (`line`, `column`, `message`, in Russian);
//! - the same with `apply=true` — the import itself: refused (`VALIDATION`, nothing written)
//!   while the file has problems, else `counts`, `invited` and `invitationProblems`.
//!
//! The file goes as the body rather than as a GraphQL string: it is binary, and GraphQL's
//! inputs are limited to 10 000 characters ([`crate::clean`]).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use engine::service::{ImportAction, ImportCounts, ImportRequest};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Value, json};

use super::{ExportError, Params, XLSX, caller, id_param, params};
use crate::AppState;

fn action(a: ImportAction) -> &'static str {
    match a {
        ImportAction::Create => "CREATE",
        ImportAction::Update => "UPDATE",
        ImportAction::Unchanged => "UNCHANGED",
    }
}

fn counts(c: ImportCounts) -> Value {
    json!({
        "organizationsCreated": c.organizations_created,
        "organizationsUpdated": c.organizations_updated,
        "organizationsUnchanged": c.organizations_unchanged,
        "directorsCreated": c.directors_created,
        "directorsUpdated": c.directors_updated,
    })
}

fn json_response(body: Value) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// `POST /import/organizations`.
pub(super) async fn organizations(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Params,
    body: Bytes,
) -> Result<Response, ExportError> {
    let actor = caller(&state, &headers).await?;
    let params = params(query, &["fileName", "districtId", "apply"])?;
    let apply = match params.get("apply").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ExportError::invalid(format!(
                "«apply»: «{other}» — ожидается true или false."
            )));
        }
    };
    if body.is_empty() {
        return Err(ExportError::invalid(
            "Файл не передан: выберите файл XLSX или CSV.".into(),
        ));
    }
    let request = ImportRequest {
        district_id: id_param(&params, "districtId")?,
        file_name: params.get("fileName").cloned().unwrap_or_default(),
        bytes: body.to_vec(),
    };
    if apply {
        let mail = state.mail.clone().ok_or_else(|| {
            ExportError::invalid("Импорт сейчас невозможен: у сервера не настроена почта для приглашений.".into())
        })?;
        let outcome = state
            .engine
            .apply_import(&actor, &request, &mail.mailer, &mail.settings)
            .await?;
        return Ok(json_response(json!({
            "counts": counts(outcome.counts),
            "invited": outcome.invited,
            "invitationProblems": outcome.invitation_problems,
        })));
    }
    let plan = state.engine.plan_import(&actor, &request).await?;
    let lines: Vec<Value> = plan
        .lines
        .iter()
        .map(|l| {
            json!({
                "line": l.line,
                "district": l.district_name,
                "name": l.name,
                "kind": kind_code(l.kind),
                "phone": l.phone,
                "action": action(l.action),
                "director": l.director.as_ref().map(|d| json!({
                    "fullName": d.full_name,
                    "email": d.email,
                    "action": action(d.action),
                })),
            })
        })
        .collect();
    let problems: Vec<Value> = plan
        .problems
        .iter()
        .map(|p| json!({ "line": p.line, "column": p.column.title(), "message": p.message }))
        .collect();
    Ok(json_response(json!({
        "counts": counts(plan.counts()),
        "lines": lines,
        "problems": problems,
    })))
}

/// `GET /import/organizations-template.xlsx`.
pub(super) async fn template(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ExportError> {
    caller(&state, &headers).await?;
    let bytes = template_bytes().map_err(|e| ExportError::internal(&e))?;
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(XLSX)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(
            "attachment; filename=\"organizations-template.xlsx\"; filename*=UTF-8''%D0%A8%D0%B0%D0%B1%D0%BB%D0%BE%D0%BD%20%D0%BE%D1%80%D0%B3%D0%B0%D0%BD%D0%B8%D0%B7%D0%B0%D1%86%D0%B8%D0%B9.xlsx",
        ),
    );
    Ok(response)
}

fn template_bytes() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Организации")?;
    let example = [
        "МБОУ «Средняя общеобразовательная школа № 1»",
        "школа",
        "Иванова Мария Петровна",
        "director@school1.ru",
        "+7 (351) 234-56-78",
    ];
    for (i, column) in engine::import::TEMPLATE_HEADERS.iter().enumerate() {
        let col = i as u16;
        sheet.write_with_format(0, col, column.title(), &bold)?;
        sheet.write(1, col, example[i])?;
        sheet.set_column_width(col, if i == 0 { 48 } else { 26 })?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let kinds = workbook.add_worksheet();
    kinds.set_name("Типы")?;
    kinds.write_with_format(0, 0, "Что писать в столбце «Тип»", &bold)?;
    kinds.write_with_format(0, 1, "Тип организации", &bold)?;
    for (i, (kind, words)) in engine::import::KIND_WORDS.iter().enumerate() {
        let row = i as u32 + 1;
        kinds.write(row, 0, words.join(", "))?;
        kinds.write(row, 1, kind_title(*kind))?;
    }
    kinds.set_column_width(0, 60)?;
    kinds.set_column_width(1, 40)?;
    workbook.save_to_buffer()
}

/// The kind as the GraphQL enum names it (the web interface's `KIND` reads it).
fn kind_code(kind: engine::model::OrganizationKind) -> &'static str {
    use engine::model::OrganizationKind as K;
    match kind {
        K::School => "SCHOOL",
        K::Kindergarten => "KINDERGARTEN",
        K::AdditionalEducation => "ADDITIONAL_EDUCATION",
        K::MethodicalService => "METHODICAL_SERVICE",
        K::Other => "OTHER",
    }
}

fn kind_title(kind: engine::model::OrganizationKind) -> &'static str {
    use engine::model::OrganizationKind as K;
    match kind {
        K::School => "школа",
        K::Kindergarten => "детский сад",
        K::AdditionalEducation => "организация дополнительного образования",
        K::MethodicalService => "муниципальная методическая служба",
        K::Other => "другая организация",
    }
}
