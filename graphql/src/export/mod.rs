//! Downloads for spreadsheets: the indicator reports and the dashboard as CSV and XLSX.
//!
//! - `GET /export/indicator-reports.{csv,xlsx}?projectId=&districtId=&organizationId=&indicator=&period=`
//!   (every parameter optional; the caller sees what `indicatorReports` would show them);
//! - `GET /export/dashboard.{csv,xlsx}?districtId=` (the `dashboard` query's data);
//! - `GET /export/personal-data.json?userId=` — one person's data ([`personal`]);
//! - the organizations file's upload and its template ([`import`]).
//!
//! The caller is the bearer token of the `Authorization` header, as for GraphQL, and the
//! engine's services check role and scope. Errors have GraphQL's shape
//! (`{"errors":[{"message":…,"extensions":{"code":…}}]}`) with the HTTP status of the code:
//! `UNAUTHENTICATED` 401, `FORBIDDEN` 403, `NOT_FOUND` 404, `VALIDATION` 400 (also a bad or
//! unknown query parameter), anything else 500 with a generic message (details in the log).
//!
//! **XLSX** is the exact format: numbers are numbers, dates are dates (in the project's
//! district time zone), one worksheet per table with a bold, frozen header row, an
//! autofilter and column widths from the longest value (Cyrillic counted by characters).
//!
//! **CSV** is written for Excel with Russian regional settings, where it is opened most:
//! UTF-8 with a byte-order mark (without it Excel reads the file as Windows-1251 and the
//! Cyrillic turns to mojibake), `;` between fields (the list separator of the Russian
//! locale: a double-clicked file splits into columns; `,` would not, and it is also the
//! Russian decimal separator), decimal commas (`87,5`), dates as `ДД.ММ.ГГГГ ЧЧ:ММ`, CRLF line
//! ends and RFC 4180 quoting. Text starting with `=`, `+`, `-` or `@` gets a leading `'` so a
//! spreadsheet never runs it as a formula. The dashboard is several tables in one file: each
//! section is its title on a line of its own, then its header row and rows, and a blank line
//! before the next section — in the order of the XLSX worksheets.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, NaiveDateTime};
use engine::Actor;
use engine::model::{IndicatorReport, ProjectDetails};
use engine::service::{Dashboard, ReportFilter};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};

use crate::AppState;

mod format;
mod import;
mod personal;

#[cfg(test)]
use format::csv_value;
use format::{csv, xlsx};

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const INTERNAL: &str =
    "Не удалось подготовить файл. Повторите попытку позже; если ошибка повторяется, сообщите администратору.";

type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// The routes of the downloads (merged into [`crate::server::router`]).
pub fn routes() -> Router<AppState> {
    let reports = |kind| get(move |s: State<AppState>, h: HeaderMap, q: Params| indicator_reports(s, h, q, kind));
    let dashboard = |kind| get(move |s: State<AppState>, h: HeaderMap, q: Params| dashboard(s, h, q, kind));
    Router::new()
        .route("/export/indicator-reports.csv", reports(Kind::Csv))
        .route("/export/indicator-reports.xlsx", reports(Kind::Xlsx))
        .route("/export/dashboard.csv", dashboard(Kind::Csv))
        .route("/export/dashboard.xlsx", dashboard(Kind::Xlsx))
        .route("/export/personal-data.json", get(personal::personal_data))
        .route("/import/organizations", axum::routing::post(import::organizations))
        .route("/import/organizations-template.xlsx", get(import::template))
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Csv,
    Xlsx,
}

/// A refused download: its status, machine code and Russian message.
#[derive(Debug)]
struct ExportError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ExportError {
    fn new(status: StatusCode, code: &'static str, message: String) -> Self {
        ExportError { status, code, message }
    }

    fn invalid(message: String) -> Self {
        ExportError::new(StatusCode::BAD_REQUEST, "VALIDATION", message)
    }

    fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "export failed");
        ExportError::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", INTERNAL.into())
    }
}

impl From<engine::Error> for ExportError {
    /// The status of the error's code; the message (generic for internal errors, whose
    /// cause chain is logged) is the one GraphQL would give.
    fn from(err: engine::Error) -> Self {
        let (status, code) = match err.code() {
            "UNAUTHENTICATED" => (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
            "FORBIDDEN" => (StatusCode::FORBIDDEN, "FORBIDDEN"),
            "NOT_FOUND" => (StatusCode::NOT_FOUND, "NOT_FOUND"),
            "VALIDATION" => (StatusCode::BAD_REQUEST, "VALIDATION"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL"),
        };
        let message = crate::error::to_graphql(err).message;
        let message = if code == "INTERNAL" { INTERNAL.into() } else { message };
        ExportError::new(status, code, message)
    }
}

impl IntoResponse for ExportError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "errors": [{ "message": self.message, "extensions": { "code": self.code } }]
        });
        let mut response = (
            self.status,
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body.to_string(),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The signed-in caller of a request, or `401`.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Actor, ExportError> {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let auth = state.authenticate(authorization).await;
    let message = auth.rejected.unwrap_or_else(|| {
        "Войдите в систему: выгрузка доступна только после входа (заголовок Authorization: Bearer …).".into()
    });
    auth.actor
        .ok_or_else(|| ExportError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message))
}

/// The query parameters by name: only `allowed` ones, each at most once; empty means absent.
fn params(query: Params, allowed: &[&str]) -> Result<HashMap<String, String>, ExportError> {
    let Query(pairs) =
        query.map_err(|e| ExportError::invalid(format!("Параметры запроса не разобраны: {}.", e.body_text())))?;
    let mut out = HashMap::new();
    for (name, value) in pairs {
        if !allowed.contains(&name.as_str()) {
            return Err(ExportError::invalid(format!(
                "Неизвестный параметр «{name}»: допустимы {}.",
                allowed.iter().map(|a| format!("«{a}»")).collect::<Vec<_>>().join(", ")
            )));
        }
        let value = value.trim().to_string();
        if !value.is_empty() && out.insert(name.clone(), value).is_some() {
            return Err(ExportError::invalid(format!("Параметр «{name}» указан дважды.")));
        }
    }
    Ok(out)
}

fn id_param(params: &HashMap<String, String>, name: &str) -> Result<Option<i64>, ExportError> {
    params
        .get(name)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| ExportError::invalid(format!("«{name}»: «{v}» — не идентификатор: ожидается число.")))
        })
        .transpose()
}

/// A value of a cell.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    /// A percentage shown with one decimal.
    Percent(Option<f64>),
    DateTime(NaiveDateTime),
    Date(NaiveDate),
}

/// One table: a worksheet of the XLSX, a section of the CSV.
#[derive(Debug, Clone)]
struct Table {
    title: &'static str,
    /// The column headers, separated by `;` (the header row as the CSV has it).
    columns: &'static str,
    rows: Vec<Vec<Cell>>,
}

/// `GET /export/indicator-reports.{csv,xlsx}`.
async fn indicator_reports(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Params,
    kind: Kind,
) -> Result<Response, ExportError> {
    let actor = caller(&state, &headers).await?;
    let params = params(
        query,
        &["projectId", "districtId", "organizationId", "indicator", "period"],
    )?;
    let filter = ReportFilter {
        project_id: id_param(&params, "projectId")?,
        district_id: id_param(&params, "districtId")?,
        organization_id: id_param(&params, "organizationId")?,
        indicator: params.get("indicator").cloned(),
        period: params.get("period").cloned(),
    };
    let engine = &state.engine;
    let reports = engine.indicator_reports(&actor, &filter).await?;
    let organizations = engine
        .organizations_by_id(
            &actor,
            &engine::service::unique_ids(reports.iter().map(|r| r.organization_id)),
        )
        .await?;
    let mut projects = HashMap::new();
    for id in engine::service::unique_ids(reports.iter().map(|r| r.project_id)) {
        projects.insert(id, engine.project(&actor, id).await?);
    }
    let rows = reports
        .iter()
        .map(|r| {
            let name = organizations
                .get(&r.organization_id)
                .map_or_else(String::new, |o| o.name.clone());
            report_row(r, projects.get(&r.project_id), name)
        })
        .collect();
    let table = Table {
        title: "Отчёты по показателям",
        columns: "Проект;Организация;Код показателя;Показатель;Единица;Период;Значение;Комментарий;Дата сдачи;Исправлений",
        rows,
    };
    let today = engine.now().date_naive();
    download(kind, ("indicator-reports", "Отчёты по показателям"), today, vec![table]).await
}

fn report_row(report: &IndicatorReport, project: Option<&ProjectDetails>, organization: String) -> Vec<Cell> {
    let indicator = project.and_then(|p| p.definition.indicator(&report.indicator_key));
    let reported_at = match project {
        Some(p) => report.reported_at.with_timezone(&p.district.time_zone).naive_local(),
        None => report.reported_at.naive_utc(),
    };
    vec![
        Cell::Text(project.map_or_else(
            || format!("Проект № {}", report.project_id),
            |p| p.project.title.clone(),
        )),
        Cell::Text(organization),
        Cell::Text(report.indicator_key.clone()),
        Cell::Text(indicator.map_or_else(String::new, |i| i.title.clone())),
        Cell::Text(indicator.map_or_else(String::new, |i| i.unit.clone())),
        Cell::Text(engine::period::Period::title_of(&report.period)),
        Cell::Number(report.value),
        Cell::Text(report.comment.clone().unwrap_or_default()),
        Cell::DateTime(reported_at),
        Cell::Number(f64::from(report.revision.saturating_sub(1))),
    ]
}

/// `GET /export/dashboard.{csv,xlsx}`.
async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Params,
    kind: Kind,
) -> Result<Response, ExportError> {
    let actor = caller(&state, &headers).await?;
    let params = params(query, &["districtId"])?;
    let engine = &state.engine;
    let dashboard = engine.dashboard(&actor, id_param(&params, "districtId")?).await?;
    let district_ids = engine::service::unique_ids(
        dashboard
            .overdue
            .iter()
            .map(|o| o.district_id)
            .chain(dashboard.organizations.iter().map(|o| o.district_id)),
    );
    let districts = engine.districts_by_id(&actor, &district_ids).await?;
    let district = |id: i64| Cell::Text(districts.get(&id).map_or_else(String::new, |d| d.name.clone()));
    let people = engine
        .user_names_by_ids(
            &dashboard
                .overdue
                .iter()
                .filter_map(|o| o.responsible_id)
                .collect::<Vec<_>>(),
        )
        .await?;
    let person = |id: Option<i64>| Cell::Text(id.and_then(|id| people.get(&id).cloned()).unwrap_or_default());
    let today = engine.now().date_naive();
    download(
        kind,
        ("dashboard", "Сводка"),
        today,
        dashboard_tables(&dashboard, district, person),
    )
    .await
}

fn dashboard_tables(d: &Dashboard, district: impl Fn(i64) -> Cell, person: impl Fn(Option<i64>) -> Cell) -> Vec<Table> {
    let text = |s: &str| Cell::Text(s.to_string());
    let count = |n: u64| Cell::Number(n as f64);
    vec![
        Table {
            title: "Просрочено",
            columns: "Проект;Район;Этап;Задача;Ответственный;Срок;Дней просрочки",
            rows: rows(&d.overdue, |o| {
                vec![
                    text(&o.project_title),
                    district(o.district_id),
                    text(&o.stage_title),
                    text(o.task_title.as_deref().unwrap_or_default()),
                    person(o.responsible_id),
                    Cell::Date(o.due),
                    Cell::Number(o.days_overdue as f64),
                ]
            }),
        },
        Table {
            title: "Нет отчётов",
            columns: "Организация;Проект;Код показателя;Показатель;Период;Срок сдачи;Дней просрочки",
            rows: rows(&d.missing_reports, |m| {
                vec![
                    text(&m.organization_name),
                    text(&m.project_title),
                    text(&m.indicator_key),
                    text(&m.indicator_title),
                    text(&engine::period::Period::title_of(&m.period)),
                    Cell::Date(m.deadline),
                    Cell::Number(m.days_late as f64),
                ]
            }),
        },
        Table {
            title: "Организации",
            columns: "Организация;Район;Достижение, %;Состояние;Показателей",
            rows: rows(&d.organizations, |o| {
                vec![
                    text(&o.name),
                    district(o.district_id),
                    Cell::Percent(o.achievement),
                    text(o.health.title()),
                    count(o.indicators as u64),
                ]
            }),
        },
        Table {
            title: "По этапам",
            columns: "Процесс;Этап;Проектов",
            rows: rows(&d.by_stage, |s| {
                vec![text(&s.workflow_title), text(&s.stage_title), count(s.count)]
            }),
        },
        Table {
            title: "По процессам",
            columns: "Процесс;Проектов",
            rows: rows(&d.by_workflow, |c| vec![text(&c.title), count(c.count)]),
        },
        Table {
            title: "По состоянию",
            columns: "Состояние;Проектов",
            rows: rows(&d.by_health, |c| vec![text(&c.title), count(c.count)]),
        },
    ]
}

/// The cells of each of `items`.
fn rows<T>(items: &[T], cells: impl Fn(&T) -> Vec<Cell>) -> Vec<Vec<Cell>> {
    items.iter().map(cells).collect()
}

/// The file of `tables` as an attachment named `{ascii}-{today}.{ext}` (and, for clients
/// that read it, `{russian} {today}.{ext}`).
async fn download(
    kind: Kind,
    (ascii, russian): (&str, &str),
    today: NaiveDate,
    tables: Vec<Table>,
) -> Result<Response, ExportError> {
    let (body, content_type, ext) = match kind {
        Kind::Csv => (csv(&tables), CSV, "csv"),
        Kind::Xlsx => {
            let built = tokio::task::spawn_blocking(move || xlsx(&tables))
                .await
                .map_err(|e| ExportError::internal(&e))?;
            (built.map_err(|e| ExportError::internal(&e))?, XLSX, "xlsx")
        }
    };
    let day = today.format("%Y-%m-%d");
    let disposition = format!(
        "attachment; filename=\"{ascii}-{day}.{ext}\"; filename*=UTF-8''{}",
        percent_encode(&format!("{russian} {day}.{ext}"))
    );
    let disposition = HeaderValue::try_from(disposition).map_err(|e| ExportError::internal(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        body,
    )
        .into_response())
}

/// RFC 8187 `value-chars`: UTF-8 bytes, percent-encoded except `attr-char`.
fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests;
