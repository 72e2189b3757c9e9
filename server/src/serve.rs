//! Starting the server: connect, migrate, print a set-up link while there is
//! no admin, then serve until SIGTERM / Ctrl-C.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use usher_core::config::Config;
use usher_core::services::{outbox, sessions, settings, setup};

use usher_core::state::AppState;

pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let leptos = config.leptos_options()?;
    std::fs::create_dir_all(&config.data_dir)?;
    let db = usher_core::db::connect(&config.database_url).await?;
    usher_core::db::migrate(&db).await?;
    let sealing_key = usher_core::services::ca::sealing_key(&config)?;
    usher_core::services::ca::ensure(&db, &sealing_key, &config.organisation).await?;
    let sessions = settings::session_policy(&db).await?;
    Ok(AppState {
        db,
        config: Arc::new(config),
        leptos,
        sessions,
        jobs: Arc::default(),
        ca_key: sealing_key,
    })
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let state = prepare(config).await?;
    let addr = state.leptos.site_addr;
    if !setup::admin_exists(&state.db).await? {
        let token = setup::issue_token(&state.db).await?;
        let link = format!(
            "{}/setup?token={token}",
            state.config.public_url(&state.leptos)
        );
        println!("Usher has no administrator yet. Open this link within an hour to create one:\n  {link}");
        tracing::info!("printed a one-time set-up link");
    }
    spawn_session_sweeper(state.clone());
    usher_core::services::search_index::spawn(state.db.clone());
    spawn_certificate_reminders(state.clone());
    outbox::spawn_worker(
        state.db.clone(),
        state.config.clone(),
        state.config.public_url(&state.leptos),
    );

    usher_core::services::jobs::spawn_worker(
        state.db.clone(),
        usher_core::services::job_kinds::ALL,
        state.jobs.clone(),
        state.ca_key,
    );

    let app = crate::http::build(state.clone());
    match state.config.https_addr(&state.leptos)? {
        Some(https_addr) => {
            let hosts = https_hosts(&state);
            let bound =
                crate::pki::https::spawn(state.clone(), app.clone(), https_addr, hosts).await?;
            tracing::info!(addr = %bound, "HTTPS (certificate sign-in) is listening");
        }
        None => spawn_crl_keeper(state.clone()),
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, database = %redact(&state.config.database_url), "Usher is listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    Ok(())
}

/// The names the HTTPS listener's certificate is for.
fn https_hosts(state: &AppState) -> Vec<String> {
    let mut hosts = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    if let Some(host) = state
        .config
        .https_url(&state.leptos)
        .and_then(|url| usher_core::config::host_of(&url))
    {
        let host = host.trim_matches(['[', ']']).to_string();
        if !hosts.contains(&host) {
            hosts.insert(0, host);
        }
    }
    hosts
}

/// Without the HTTPS listener (which does it), the CRL is still reissued.
fn spawn_crl_keeper(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let refreshed =
                usher_core::services::crl::refresh_with_key(&state.db, &state.ca_key).await;
            if let Err(error) = refreshed {
                tracing::warn!(%error, "could not refresh the CRL");
            }
        }
    });
}

/// Hourly: mails the 30- and 7-day reminders that are due (each once).
fn spawn_certificate_reminders(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let env = state.config.public_url(&state.leptos);
            let public_url = match usher_core::services::mail_settings::effective(
                &state.db,
                &state.config,
                &env,
            )
            .await
            {
                Ok(effective) => effective.public_url,
                Err(_) => env,
            };
            match usher_core::services::certificates::remind_expiring(&state.db, &public_url).await
            {
                Ok(n) if n > 0 => tracing::info!(mailed = n, "certificate expiry reminders"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "certificate reminders failed"),
            }
        }
    });
}

fn spawn_session_sweeper(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            match sessions::purge_expired(&state.db, state.sessions).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "session sweep failed"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

/// A database URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}
