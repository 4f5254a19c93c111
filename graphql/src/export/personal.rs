//! `GET /export/personal-data.json?userId=` — everything held about one person
//! ([`engine::Engine::personal_data`]), as a JSON file to hand them (152-ФЗ, ст. 14);
//! administrators only (the permission table's `ManagePersonalData`).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{ExportError, Params, caller, id_param, params};
use crate::AppState;

pub(super) async fn personal_data(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Params,
) -> Result<Response, ExportError> {
    let actor = caller(&state, &headers).await?;
    let params = params(query, &["userId"])?;
    let user_id = id_param(&params, "userId")?
        .ok_or_else(|| ExportError::invalid("Укажите «userId»: чьи данные выгрузить.".into()))?;
    let data = state.engine.personal_data(&actor, user_id).await?;
    let body = serde_json::to_string_pretty(&data).map_err(|e| ExportError::internal(&e))?;
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response();
    let disposition = format!("attachment; filename=\"personal-data-{user_id}.json\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
