//! Content negotiation of the GraphQL-over-HTTP specification: which media type to answer
//! in, from the `Accept` header; whether a browser wants GraphiQL; whether a body is JSON.

use super::{GRAPHQL_RESPONSE_JSON, JSON};

/// The media type a GraphQL response is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: HTTP status codes carry meaning.
    GraphQLResponseJson,
    /// `application/json`: every well-formed request gets `200`.
    Json,
}

impl MediaType {
    /// The `Content-Type` header value.
    pub fn content_type(self) -> &'static str {
        match self {
            MediaType::GraphQLResponseJson => GRAPHQL_RESPONSE_JSON,
            MediaType::Json => JSON,
        }
    }
}

/// Chooses the response media type from an `Accept` header; `None` means `406`.
pub fn negotiate(accept: Option<&str>) -> Option<MediaType> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Some(MediaType::GraphQLResponseJson);
    };
    let graphql = quality(accept, "application", "graphql-response+json");
    let json = quality(accept, "application", "json");
    if graphql > 0.0 && graphql >= json {
        Some(MediaType::GraphQLResponseJson)
    } else if json > 0.0 {
        Some(MediaType::Json)
    } else {
        None
    }
}

/// The q-value `accept` gives `kind/subtype` (UTF-8), or 0 when no range matches.
fn quality(accept: &str, kind: &str, subtype: &str) -> f32 {
    best_match(accept, kind, subtype).map_or(0.0, |(_, q)| q)
}

/// The most specific media range of `accept` matching `kind/subtype` (RFC 9110 §12.5.1):
/// its specificity (0 `*/*`, 1 `kind/*`, 2 exact, 3 exact with `charset=utf-8`) and q-value.
/// A range with another charset or an invalid q-value matches nothing.
fn best_match(accept: &str, kind: &str, subtype: &str) -> Option<(u8, f32)> {
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut params = range.split(';').map(str::trim);
        let Some((range_kind, range_subtype)) = params.next().and_then(|m| m.split_once('/')) else {
            continue;
        };
        let mut specificity = match (range_kind.trim(), range_subtype.trim()) {
            ("*", "*") => 0,
            (k, "*") if k.eq_ignore_ascii_case(kind) => 1,
            (k, s) if k.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(subtype) => 2,
            _ => continue,
        };
        let mut q = 1.0;
        let mut matches = true;
        for param in params {
            let Some((name, value)) = param.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "q" => match value.parse::<f32>() {
                    Ok(v) if (0.0..=1.0).contains(&v) => q = v,
                    _ => matches = false,
                },
                "charset" if value.eq_ignore_ascii_case("utf-8") => specificity = specificity.max(3),
                "charset" => matches = false,
                _ => {}
            }
        }
        if matches && best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best
}

/// Whether a browser asks for a page: `Accept` names `text/html` (not merely `*/*`).
pub(super) fn wants_html(accept: Option<&str>) -> bool {
    accept
        .and_then(|a| best_match(a, "text", "html"))
        .is_some_and(|(specificity, q)| specificity >= 2 && q > 0.0)
}

/// Whether a `Content-Type` is `application/json`, in UTF-8 if a charset is given.
pub(super) fn is_json_content_type(content_type: &str) -> bool {
    let mut parts = content_type.split(';').map(str::trim);
    let essence_ok = parts.next().is_some_and(|m| m.eq_ignore_ascii_case("application/json"));
    essence_ok
        && parts.all(|param| match param.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            _ => true,
        })
}
