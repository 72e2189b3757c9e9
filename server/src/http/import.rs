//! The import's plain HTTP routes (users.import; 401 anonymous, 403
//! without it): the upload (a multipart form, so it works without
//! JavaScript), the template, the error report and the certificate passwords.
use app::model::import::MAX_FILE_BYTES;
use app::model::{CurrentUser, Permission};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use usher_core::web::RequestMeta;

use usher_core::services::actor::Actor;
use usher_core::services::import::{columns, read, report, store};
use usher_core::state::AppState;

/// Bytes read from a too-large upload before answering, so the browser
/// gets the answer instead of a broken connection.
const DRAIN_LIMIT: usize = 256 * 1024 * 1024;

/// The caller, or the refusal (status and message).
fn caller(user: Option<Extension<CurrentUser>>) -> Result<CurrentUser, (StatusCode, &'static str)> {
    let Some(Extension(user)) = user else {
        return Err((StatusCode::UNAUTHORIZED, "Sign in to import users."));
    };
    if !user.can(Permission::UsersImport) || user.must_change_password {
        return Err((
            StatusCode::FORBIDDEN,
            "Your role does not allow importing users.",
        ));
    }
    Ok(user)
}

fn csv_download(name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

fn back_with_error(message: &str) -> Response {
    Redirect::to(&format!(
        "/users/import?error={}",
        app::routes::encode_query_value(message)
    ))
    .into_response()
}

/// `POST /import/upload` (field `file`): keeps a readable CSV and goes on to
/// its mapping step, or back to the upload page with the reason.
pub async fn upload(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Extension(meta): Extension<RequestMeta>,
    mut form: Multipart,
) -> Response {
    let user = match caller(user) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    let actor = Actor {
        id: uuid::Uuid::parse_str(&user.id).unwrap_or_default(),
        username: user.username.clone(),
        ip: meta.ip.clone(),
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    let mut seen = 0usize;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return back_with_error("The upload was cut off; try again."),
        };
        let is_file = field.name() == Some("file");
        let name = field.file_name().unwrap_or("upload.csv").to_string();
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    seen += chunk.len();
                    if is_file && !too_large {
                        if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                            too_large = true;
                            bytes = Vec::new();
                        } else {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                    if seen > DRAIN_LIMIT {
                        return back_with_error(
                            "The file is larger than 50 MB. Split it into smaller files.",
                        );
                    }
                }
                Ok(None) => break,
                Err(_) => return back_with_error("The upload was cut off; try again."),
            }
        }
        if is_file {
            file = Some((name, bytes));
        }
    }
    if too_large {
        return back_with_error("The file is larger than 50 MB. Split it into smaller files.");
    }
    let Some((name, bytes)) = file else {
        return back_with_error("Choose a CSV file to upload.");
    };
    match store::save_upload(&state.db, &actor, &name, bytes).await {
        Ok(id) => Redirect::to(&format!("/users/import/{id}")).into_response(),
        Err(error) => back_with_error(&error.summary()),
    }
}

/// `GET /import/template.csv`
pub async fn template(user: Option<Extension<CurrentUser>>) -> Response {
    if let Err(refusal) = caller(user) {
        return refusal.into_response();
    }
    csv_download(
        "usher-import-template.csv",
        columns::template().into_bytes(),
    )
}

/// `GET /import/{id}/errors.csv`: the rows not applied, with an `error` column.
pub async fn errors_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<String>,
) -> Response {
    let user = match caller(user) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    let result = async {
        let actor = actor_of(&user);
        let row = store::find_visible(&state.db, &actor, store::parse_id(&id)?).await?;
        let failures = store::failures(&state.db, &row).await?;
        let table = read::read(&row.content).map_err(app::AppError::BadRequest)?;
        let secret = report::password_columns(&store::mapping_of(&row));
        let csv =
            report::error_report(&table, &failures, &secret).map_err(app::AppError::Internal)?;
        Ok::<_, app::AppError>((report_name(&row.file_name), csv))
    }
    .await;
    download_or(result, StatusCode::INTERNAL_SERVER_ERROR)
}

/// The signed-in caller as the services' actor.
fn actor_of(user: &CurrentUser) -> Actor {
    Actor {
        // Never the nil id, which is the command line's.
        id: uuid::Uuid::parse_str(&user.id).unwrap_or_else(|_| uuid::Uuid::new_v4()),
        username: user.username.clone(),
        ip: None,
    }
}

/// `people.csv` → `people-errors.csv`, with only safe characters.
fn report_name(file_name: &str) -> String {
    let stem = file_name.trim_end_matches(".csv").trim_end_matches(".CSV");
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}-errors.csv")
}

/// The download, or why not: 404 for an unknown import, else `refused`.
fn download_or(result: Result<(String, Vec<u8>), app::AppError>, refused: StatusCode) -> Response {
    match result {
        Ok((name, csv)) => csv_download(&name, csv),
        Err(app::AppError::NotFound) => (StatusCode::NOT_FOUND, "No such import.").into_response(),
        Err(error) => (refused, error.summary()).into_response(),
    }
}

/// `POST /import/{id}/certificate-passwords.csv`: once, then gone (a POST,
/// so no prefetch, crawler or history entry can spend it).
pub async fn certificate_passwords(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<String>,
) -> Response {
    let user = match caller(user) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    let result = async {
        let id = store::parse_id(&id)?;
        store::find_visible(&state.db, &actor_of(&user), id).await?;
        let passwords = store::take_passwords(&state.db, id, &state.ca_key).await?;
        let csv = report::passwords_csv(&passwords).map_err(app::AppError::Internal)?;
        Ok(("certificate-passwords.csv".to_string(), csv))
    }
    .await;
    download_or(result, StatusCode::GONE)
}
