//! Who is calling: resolved once per request (HTTP) or per connection (websocket) from the
//! bearer token, and put into the request's data.

use async_graphql::Context;
use engine::Actor;

use crate::AppState;
use crate::error::unauthenticated;

/// Who is asking, for limits per client (`requestPasswordReset`): the peer's IP address — or,
/// when the peer is on the loopback interface (a reverse proxy on the same machine, the usual
/// deployment), the last address of the `X-Forwarded-For` it appended. A remote peer's
/// `X-Forwarded-For` is not believed: anyone can write one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client(pub String);

impl Client {
    pub fn of(headers: &axum::http::HeaderMap, peer: Option<std::net::SocketAddr>) -> Client {
        let Some(peer) = peer else {
            return Client("неизвестно".into());
        };
        if peer.ip().is_loopback()
            && let Some(forwarded) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(str::trim)
                .and_then(|v| v.parse::<std::net::IpAddr>().ok())
        {
            return Client(forwarded.to_string());
        }
        Client(peer.ip().to_string())
    }
}

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
    /// Set when the session ended while a websocket connection authenticated with it stays
    /// open ([`Auth::watch_session`]): the connection's later operations are refused.
    pub ended: std::sync::Arc<std::sync::atomic::AtomicBool>,
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
            ended: std::sync::Arc::default(),
        }
    }

    /// For a websocket connection, which outlives the check of its token: watches the
    /// session — at once after a logout in this process, every [`SESSION_CHECK`] for one
    /// elsewhere or an expiry — and marks this `Auth` ended when it is over. The watch stops
    /// when the connection (the last holder of the flag) goes away.
    ///
    /// [`SESSION_CHECK`]: crate::subscription::SESSION_CHECK
    pub fn watch_session(&self, engine: &engine::Engine) {
        let Some(token) = self.token.clone() else { return };
        let flag = std::sync::Arc::downgrade(&self.ended);
        let engine = engine.clone();
        let mut ended = engine.watch_sessions_ended();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    changed = ended.changed() => if changed.is_err() { return },
                    _ = tokio::time::sleep(crate::subscription::SESSION_CHECK) => {}
                }
                let Some(flag) = flag.upgrade() else { return };
                if let Err(engine::Error::Unauthenticated(_)) = engine.authenticate(&token).await {
                    flag.store(true, std::sync::atomic::Ordering::Relaxed);
                    return;
                }
            }
        });
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
    if auth.is_some_and(|a| a.ended.load(std::sync::atomic::Ordering::Relaxed)) {
        return Err(unauthenticated(Some("Сеанс завершён или устарел: войдите снова.")));
    }
    match auth.and_then(|a| a.actor.as_ref()) {
        Some(actor) => Ok(actor),
        None => Err(unauthenticated(auth.and_then(|a| a.rejected.as_deref()))),
    }
}
