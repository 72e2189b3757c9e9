//! Self-registration (`/register`, public) and the review of access
//! requests (`/requests`, requests.review).
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{AccessRequestView, RequestList};

/// "Request account" on `/register`: field errors name their fields;
/// otherwise the answer is the same whoever registers.
#[server(prefix = "/api", endpoint = "register")]
pub async fn register(
    username: String,
    first_name: String,
    last_name: String,
    email: String,
    message: Option<String>,
) -> Result<(), AppError> {
    use crate::model::Registration;
    use crate::ssr::{form_error, is_plain_form_post, request_meta, state};
    let input = Registration {
        username,
        first_name,
        last_name,
        email,
        message: message.unwrap_or_default(),
    };
    let state = state()?;
    let (ip, public_url) = (request_meta().ip, state.public_url().await);
    let registered =
        usher_core::services::registration::register(&state.db, &input, ip.as_deref(), &public_url);
    match registered.await {
        Ok(()) => {
            if is_plain_form_post() {
                leptos_axum::redirect("/register?sent=1");
            }
            Ok(())
        }
        Err(error) => Err(form_error(error, "/register")),
    }
}

/// The address a confirmation link is for, while it can be used.
#[server(prefix = "/api", endpoint = "register/check")]
pub async fn check_confirmation(token: String) -> Result<String, AppError> {
    usher_core::services::registration::check(&crate::ssr::state()?.db, &token)
        .await
        .map_err(crate::ssr::fail)
}

/// "Confirm my email address".
#[server(prefix = "/api", endpoint = "register/confirm")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    use crate::routes::encode_query_value;
    use crate::ssr::{form_error, is_plain_form_post, request_meta, state};
    let back = format!("/register/confirm?token={}", encode_query_value(&token));
    let state = state()?;
    let (ip, public_url) = (request_meta().ip, state.public_url().await);
    let confirmed =
        usher_core::services::registration::confirm(&state.db, &token, ip.as_deref(), &public_url);
    match confirmed.await {
        Ok(()) => {
            if is_plain_form_post() {
                leptos_axum::redirect("/register/confirm?confirmed=1");
            }
            Ok(())
        }
        Err(error) => Err(form_error(error, &back)),
    }
}

/// One tab of `/requests`.
#[server(prefix = "/api", endpoint = "requests")]
pub async fn list_access_requests(status: String, page: u64) -> Result<RequestList, AppError> {
    use crate::model::{Permission, RequestStatus};
    use crate::ssr::{fail, require, state};
    require(Permission::RequestsReview)?;
    let status = RequestStatus::parse(&status).unwrap_or(RequestStatus::Review);
    usher_core::services::access_requests::list(&state()?.db, status, page)
        .await
        .map_err(fail)
}

/// `/requests/{id}`.
#[server(prefix = "/api", endpoint = "requests/get")]
pub async fn get_access_request(id: String) -> Result<AccessRequestView, AppError> {
    use crate::model::Permission;
    use crate::ssr::{fail, require, state};
    require(Permission::RequestsReview)?;
    usher_core::services::access_requests::detail(&state()?.db, &id)
        .await
        .map_err(fail)
}

/// The navigation's badge: requests waiting for review.
#[server(prefix = "/api", endpoint = "requests/waiting")]
pub async fn waiting_requests() -> Result<u64, AppError> {
    use crate::model::Permission;
    use crate::ssr::{fail, require, state};
    require(Permission::RequestsReview)?;
    usher_core::services::access_requests::waiting(&state()?.db)
        .await
        .map_err(fail)
}

/// "Approve" on a request: role and groups; the person is mailed a link.
#[server(prefix = "/api", endpoint = "requests/approve")]
pub async fn approve_request(
    id: String,
    role: String,
    groups: Option<Vec<String>>,
) -> Result<crate::model::Approved, AppError> {
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    use usher_core::services::{access_requests, parse_choice};
    let actor = actor(Permission::RequestsReview)?;
    let page = format!("/requests/{}", encode_query_value(&id));
    let state = state()?;
    let approved = async {
        let (role_id, group_ids) = parse_choice(&role, &groups.unwrap_or_default())?;
        let approval = access_requests::Approval { role_id, group_ids };
        access_requests::approve_as_configured(&state, &actor, &id, approval).await
    };
    match approved.await {
        Ok(approved) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!("{page}?decided=approved"));
            }
            Ok(approved)
        }
        Err(error) => Err(form_error(error, &page)),
    }
}

/// "Reject" on a request, with the reason mailed to the person.
#[server(prefix = "/api", endpoint = "requests/reject")]
pub async fn reject_request(id: String, reason: String) -> Result<String, AppError> {
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    let actor = actor(Permission::RequestsReview)?;
    let page = format!("/requests/{}", encode_query_value(&id));
    let db = state()?.db;
    match usher_core::services::access_requests::reject(&db, &actor, &id, &reason).await {
        Ok(username) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!("{page}?decided=rejected"));
            }
            Ok(username)
        }
        Err(error) => Err(form_error(error, &page)),
    }
}
