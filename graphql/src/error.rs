//! Engine errors to GraphQL errors: a stable `extensions.code`, the field the error concerns
//! (`extensions.field`) and a Russian message a person can act on. Internal errors are logged
//! with their cause chain and reach the client only as a generic message.

use async_graphql::ErrorExtensions;

/// The GraphQL error for an engine error.
pub fn to_graphql(err: engine::Error) -> async_graphql::Error {
    let code = err.code();
    let message = match &err {
        engine::Error::Internal(_) | engine::Error::Db(_) => {
            let mut chain = format!("{err:?}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                chain.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            tracing::error!(error = %chain, "internal error");
            "Внутренняя ошибка сервера. Повторите попытку позже; если ошибка повторяется, сообщите администратору."
                .to_string()
        }
        engine::Error::NotFound { .. } => {
            tracing::warn!(error = %err, "not found");
            err.to_string()
        }
        _ => err.to_string(),
    };
    let field = match &err {
        engine::Error::Validation { field, .. } => field.clone(),
        _ => None,
    };
    async_graphql::Error::new(message).extend_with(|_, e| {
        e.set("code", code);
        if let Some(field) = &field {
            e.set("field", field.name());
        }
    })
}

/// `UNAUTHENTICATED`, with the reason a token was refused when there was one.
pub fn unauthenticated(reason: Option<&str>) -> async_graphql::Error {
    let message = reason.unwrap_or("Войдите в систему: этот запрос доступен только после входа.");
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "UNAUTHENTICATED"))
}

/// `VALIDATION` for an input the engine never sees (an ID that is not a number, …).
pub fn invalid(field: &str, message: impl Into<String>) -> async_graphql::Error {
    let field = field.to_string();
    async_graphql::Error::new(message.into()).extend_with(move |_, e| {
        e.set("code", "VALIDATION");
        e.set("field", field.as_str());
    })
}

/// The response to an operation that ran longer than `timeout`: `TIMEOUT`.
pub fn timed_out(timeout: std::time::Duration) -> async_graphql::Response {
    let mut error = async_graphql::ServerError::new(
        format!(
            "Запрос выполнялся дольше {} с и прерван. Запросите меньше данных за раз или повторите позже.",
            timeout.as_secs()
        ),
        None,
    );
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "TIMEOUT");
    error.extensions = Some(extensions);
    async_graphql::Response::from_errors(vec![error])
}

/// Engine results in resolvers: `engine_call().await.map_err(to_graphql)?` spelled `.gql()?`.
pub trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for engine::Result<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(to_graphql)
    }
}
