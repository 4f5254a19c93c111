//! The web interface: static HTML, CSS and ES modules from `web/`, embedded at build time
//! (`build.rs`) and served by the same router as the API.
//!
//! - `GET /` and every other `GET` of a path that is not the API's and does not name a file
//!   (`/projects/12`, `/tasks`) answer `index.html`: the page's own router draws the view, so
//!   links in emails and reloads work;
//! - `GET /assets/<path>` answers `web/<path>` with its content type;
//! - everything carries an ETag and `Cache-Control: no-cache` (the file names are not
//!   fingerprinted — there is no build step — so browsers revalidate, and get `304 Not
//!   Modified` while nothing changed), plus a strict Content-Security-Policy: only this
//!   origin's scripts, styles and connections.
//!
//! The interface is one more GraphQL client: it gets nothing here but files.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file.
pub struct Asset {
    /// Path under `web/`, with `/` separators.
    pub path: &'static str,
    pub content_type: &'static str,
    /// A quoted strong ETag: a hash of the bytes.
    pub etag: &'static str,
    pub body: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

const INDEX: &str = "index.html";

/// Paths the API owns: an unknown path under them is a plain 404, never the page.
const API_PREFIXES: [&str; 6] = ["/graphql", "/export", "/import", "/healthz", "/readyz", "/metrics"];

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// The embedded file at `path` (under `web/`).
pub fn asset(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// `GET /` and `GET /assets/*`; the page's own paths are answered by [`fallback`].
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{*path}", get(serve_asset))
}

async fn index(headers: HeaderMap) -> Response {
    respond(asset(INDEX), &headers)
}

async fn serve_asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    respond(asset(&path), &headers)
}

/// Any request no route took: a `GET`/`HEAD` of a page path gets `index.html`; an unknown
/// API path, a missing file (a last segment with a dot) or another method gets `404`.
pub async fn fallback(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return not_found();
    }
    let path = uri.path();
    let api = API_PREFIXES
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")));
    let file = path.rsplit('/').next().is_some_and(|last| last.contains('.'));
    if api || file || path.starts_with("/assets/") {
        return not_found();
    }
    respond(asset(INDEX), &headers)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Не найдено",
    )
        .into_response()
}

fn respond(asset: Option<&'static Asset>, headers: &HeaderMap) -> Response {
    let Some(asset) = asset else {
        return not_found();
    };
    let common = [
        (header::ETAG, HeaderValue::from_static(asset.etag)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
    ];
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == asset.etag
        });
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type))],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    fn app() -> Router {
        routes().fallback(fallback)
    }

    async fn get(uri: &str, if_none_match: Option<&str>) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::get(uri);
        if let Some(tag) = if_none_match {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        let response = app()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[test]
    fn every_file_of_web_is_embedded_with_a_content_type() {
        assert!(asset(INDEX).is_some());
        assert!(asset("js/app.js").is_some_and(|a| a.content_type.starts_with("text/javascript")));
        assert!(asset("style.css").is_some_and(|a| a.content_type.starts_with("text/css")));
        for a in ASSETS {
            assert!(a.etag.starts_with('"') && a.etag.ends_with('"'), "{}", a.path);
        }
    }

    #[tokio::test]
    async fn the_page_is_served_at_the_root_and_at_every_page_path() {
        for uri in ["/", "/projects/12", "/tasks", "/admin/users?x=1"] {
            let (status, headers, body) = get(uri, None).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8", "{uri}");
            assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
            assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY));
            assert!(body.contains("<html lang=\"ru\""), "{uri}: {body}");
        }
    }

    #[tokio::test]
    async fn assets_have_their_types_and_revalidate_by_etag() {
        let (status, headers, body) = get("/assets/js/app.js", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
        assert!(body.contains("import"), "{body}");
        let etag = headers[header::ETAG].to_str().expect("ascii").to_owned();
        let (status, headers, body) = get("/assets/js/app.js", Some(&etag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert_eq!(headers[header::ETAG], etag.as_str());
        assert!(body.is_empty());
        let (status, _, _) = get("/assets/js/app.js", Some("\"other\"")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, headers, _) = get("/assets/style.css", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    }

    #[tokio::test]
    async fn unknown_files_and_api_paths_are_not_the_page() {
        for uri in [
            "/assets/missing.js",
            "/favicon.ico",
            "/export/unknown.csv",
            "/graphql/other",
            "/metrics/x",
            "/assets/../Cargo.toml",
        ] {
            let (status, _, body) = get(uri, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
            assert!(!body.contains("<html"), "{uri}");
        }
    }
}
