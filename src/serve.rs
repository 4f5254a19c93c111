//! `project-office serve`: the GraphQL API over HTTP.

use std::net::SocketAddr;

use anyhow::Context;
use engine::Engine;
use graphql::ServerConfig;
use secrecy::ExposeSecret;

use crate::config::Config;

/// Migrates, registers the workflows (and with `demo`, loads the demo data into an empty
/// database), and serves until SIGTERM or Ctrl-C, then finishes the requests in flight; the
/// reminder scheduler runs beside the API.
pub async fn run(config: &Config, listen: Option<String>, demo: bool) -> anyhow::Result<()> {
    // Configuration errors stop start-up before anything listens.
    let reminders = config.reminders()?;
    let engine = crate::open(config)
        .await?
        .with_session_ttl(config.session_ttl)
        .with_link_ttl(config.link_ttl)
        .with_thresholds(config.thresholds);
    let registered = crate::register(&engine, config).await?;
    tracing::info!(workflows = registered.len(), "workflow definitions registered");
    let address = listen.unwrap_or_else(|| config.listen.clone());
    let address: SocketAddr = address
        .parse()
        .with_context(|| format!("«{address}» is not an address to listen on (write it as 127.0.0.1:8080)"))?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let local = listener.local_addr()?;
    if demo {
        crate::demo::load_if_empty(&engine).await?;
    }
    let limits = ServerConfig {
        max_concurrent_requests: config.max_concurrent_requests,
        anonymous_introspection: config.anonymous_introspection,
        cors_origins: config.cors_origins.clone(),
        metrics_token: config.metrics_token.as_ref().map(|t| t.expose_secret().to_owned()),
        hsts: config.base_url.starts_with("https://"),
        ..ServerConfig::default()
    };
    let router = router(engine.clone(), &reminders, &limits);
    println!("project-office listens on http://{local} (GraphQL and GraphiQL at http://{local}/graphql)");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let scheduler = tokio::spawn(engine::reminders::scheduler::run(
        engine,
        reminders.schedule.clone(),
        reminders.mailer.clone(),
        reminders.settings.clone(),
        async move {
            let mut stopped = stopped;
            let _ = stopped.wait_for(|s| *s).await;
        },
    ));
    graphql::server::serve_with(listener, router, limits.header_timeout, shutdown_signal()).await?;
    let _ = stop.send(true);
    let _ = scheduler.await;
    tracing::info!("stopped");
    Ok(())
}

/// The HTTP router over an engine with `limits`: [`graphql::server::app`], as the tests run it.
pub fn router(engine: Engine, reminders: &crate::Reminders, limits: &ServerConfig) -> axum::Router {
    let runtime = graphql::ReminderRuntime {
        mailer: reminders.mailer.clone(),
        settings: reminders.settings.clone(),
    };
    graphql::server::app(engine, limits, Some(runtime))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
