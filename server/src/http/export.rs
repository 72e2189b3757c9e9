//! `GET /export/users.csv?<users table query>[&id=<seq>…][&bom=1]`: the
//! current filter (or the ticked rows) as a CSV download, streamed.
//! users.export; 401 anonymous, 403 without it. Audited when done.
//! `GET /export/audit.csv?<audit log filters>`: the same for the audit log
//! (audit.read).
use app::model::{CurrentUser, Permission, UserQuery};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use usher_core::web::RequestMeta;

use usher_core::services::{audit, export};
use usher_core::state::AppState;

/// Chunks in flight between the database reader and the client.
const IN_FLIGHT: usize = 4;

pub async fn users_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Extension(meta): Extension<RequestMeta>,
    RawQuery(query): RawQuery,
) -> Response {
    let user = match allowed(user, Permission::UsersExport, "exporting users") {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let query = query.unwrap_or_default();
    let pairs = app::model::user_query::query_pairs(&query);
    // "Select all matching" ticked: the filter, not just the page's rows.
    let all = pairs.iter().any(|(k, v)| k == "all" && v == "1");
    let selection = export::Selection {
        query: UserQuery::parse(&query),
        rows: pairs
            .iter()
            .filter(|(k, _)| k == "id" && !all)
            .filter_map(|(_, v)| v.parse().ok())
            .take(app::model::bulk::MAX_ROWS)
            .collect(),
        bom: pairs.iter().any(|(k, v)| k == "bom" && v == "1"),
    };
    let counted = async {
        let resolved = export::resolve(&state.db, &selection).await?;
        let total = export::total(&state.db, &resolved).await?;
        Ok::<_, app::AppError>((resolved, total))
    };
    let (resolved, total) = match counted.await {
        Ok(counted) => counted,
        Err(error) => {
            tracing::error!(%error, "export: counting the users failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The export could not start; try again.",
            )
                .into_response();
        }
    };
    let name = export::file_name(chrono::Utc::now().date_naive());
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(IN_FLIGHT);
    let db = state.db.clone();
    let file = name.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        let outcome = export::stream_resolved(&db, &resolved, tx).await;
        let (success, rows) = match &outcome {
            Ok(rows) => (true, *rows),
            Err(error) => {
                tracing::error!(%error, "export failed");
                (false, 0)
            }
        };
        let _ = audit::record(
            &db,
            audit::Event {
                action: "users.export",
                actor_id: uuid::Uuid::parse_str(&user.id).ok(),
                actor_name: Some(&user.username),
                ip: meta.ip.as_deref(),
                success,
                details: Some(serde_json::json!({
                    "file": file,
                    "rows": rows,
                    "filter": query,
                    "seconds": started.elapsed().as_secs_f64(),
                })),
                ..Default::default()
            },
        )
        .await;
    });
    let mut response = csv_download(&name, rx);
    // The row count ahead of the rows: the page's progress bar.
    if let Ok(total) = header::HeaderValue::from_str(&total.to_string()) {
        response.headers_mut().insert(
            header::HeaderName::from_static(app::model::EXPORT_TOTAL_HEADER),
            total,
        );
    }
    response
}

/// The signed-in caller who holds `permission` (and owes no password
/// change); otherwise the 401 or 403 that says what `doing` needs.
#[allow(clippy::result_large_err)]
fn allowed(
    user: Option<Extension<CurrentUser>>,
    permission: Permission,
    doing: &str,
) -> Result<CurrentUser, Response> {
    let Some(Extension(user)) = user else {
        return Err((StatusCode::UNAUTHORIZED, format!("Sign in before {doing}.")).into_response());
    };
    if !user.can(permission) || user.must_change_password {
        return Err((
            StatusCode::FORBIDDEN,
            format!("Your role does not allow {doing}."),
        )
            .into_response());
    }
    Ok(user)
}

/// A CSV download named `name`, streamed from the chunks `rx` receives.
fn csv_download(name: &str, mut rx: tokio::sync::mpsc::Receiver<Vec<u8>>) -> Response {
    let body = futures_util::stream::poll_fn(move |cx| {
        rx.poll_recv(cx)
            .map(|chunk| chunk.map(Ok::<_, std::io::Error>))
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// `GET /export/audit.csv?<audit log filters>`: the filtered audit log as
/// CSV, streamed, newest first. audit.read; 401 anonymous, 403 without it.
pub async fn audit_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Extension(meta): Extension<RequestMeta>,
    RawQuery(query): RawQuery,
) -> Response {
    let user = match allowed(user, Permission::AuditRead, "reading the audit log") {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let query = query.unwrap_or_default();
    let filters = app::model::AuditQuery::parse(&query);
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(IN_FLIGHT);
    let db = state.db.clone();
    tokio::spawn(async move {
        let outcome = audit::stream_csv(&db, &filters, tx).await;
        if let Err(error) = &outcome {
            tracing::error!(%error, "audit export failed");
        }
        let _ = audit::record(
            &db,
            audit::Event {
                action: "audit.export",
                actor_id: uuid::Uuid::parse_str(&user.id).ok(),
                actor_name: Some(&user.username),
                ip: meta.ip.as_deref(),
                success: outcome.is_ok(),
                details: Some(serde_json::json!({
                    "rows": outcome.unwrap_or(0),
                    "filter": query,
                })),
                ..Default::default()
            },
        )
        .await;
    });
    let name = format!("usher-audit-{}.csv", chrono::Utc::now().date_naive());
    csv_download(&name, rx)
}
