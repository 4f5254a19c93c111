//! Who is calling: resolved once per request (HTTP) or per connection (websocket) from the
//! bearer token, and put into the request's data.

use async_graphql::Context;
use engine::Actor;

use crate::AppState;
use crate::error::unauthenticated;

/// The caller of a request.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    /// The signed-in user, if the token was valid.
    pub actor: Option<Actor>,
    /// The raw bearer token (for `logout`).
    pub token: Option<String>,
    /// Why a given token was refused (expired, revoked, unknown), for the error message.
    pub rejected: Option<String>,
}

impl AppState {
    /// Resolves an `Authorization` header value (`Bearer <token>`), or a bare token, to the
    /// caller. Never fails: a bad token makes an anonymous caller with the reason noted.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Auth {
        let Some(value) = authorization.map(str::trim).filter(|v| !v.is_empty()) else {
            return Auth::default();
        };
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .unwrap_or(value)
            .trim();
        match self.engine.authenticate(token).await {
            Ok(actor) => Auth {
                actor: Some(actor),
                token: Some(token.to_string()),
                rejected: None,
            },
            Err(engine::Error::Unauthenticated(reason)) => Auth {
                actor: None,
                token: None,
                rejected: Some(reason),
            },
            Err(e) => {
                tracing::error!(error = %e, "authentication failed");
                Auth {
                    actor: None,
                    token: None,
                    rejected: Some("Не удалось проверить вход: повторите позже.".into()),
                }
            }
        }
    }
}

/// The signed-in caller, or an `UNAUTHENTICATED` error.
pub fn actor<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Actor> {
    let auth = ctx.data_opt::<Auth>();
    match auth.and_then(|a| a.actor.as_ref()) {
        Some(actor) => Ok(actor),
        None => Err(unauthenticated(auth.and_then(|a| a.rejected.as_deref()))),
    }
}
