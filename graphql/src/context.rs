//! Who is calling: resolved once per request (HTTP) or per connection (websocket) from the
//! bearer token, and put into the request's data.

use async_graphql::Context;
use engine::Actor;

use crate::AppState;
use crate::error::unauthenticated;

/// The caller of a request.
#[derive(Clone, Default)]
pub struct Auth {
    /// The signed-in user, if the token was valid.
    pub actor: Option<Actor>,
    /// The raw bearer token (for `logout`).
    pub token: Option<String>,
    /// Why a given token was refused (expired, revoked, unknown), for the error message.
    pub rejected: Option<String>,
    /// The caller's batch loaders ([`crate::loaders`]), made with the caller.
    pub loaders: Option<std::sync::Arc<crate::loaders::Loaders>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("actor", &self.actor)
            .field("rejected", &self.rejected)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// A signed-in caller with their token.
    pub fn signed_in(engine: &engine::Engine, actor: engine::Actor, token: String) -> Auth {
        Auth {
            loaders: Some(std::sync::Arc::new(crate::loaders::Loaders::new(engine, &actor))),
            actor: Some(actor),
            token: Some(token),
            rejected: None,
        }
    }
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
            Ok(actor) => Auth::signed_in(&self.engine, actor, token.to_string()),
            Err(engine::Error::Unauthenticated(reason)) => Auth {
                rejected: Some(reason),
                ..Auth::default()
            },
            Err(e) => {
                tracing::error!(error = %e, "authentication failed");
                Auth {
                    rejected: Some("Не удалось проверить вход: повторите позже.".into()),
                    ..Auth::default()
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
