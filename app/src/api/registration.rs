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
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta};
    let input = Registration {
        username,
        first_name,
        last_name,
        email,
        message: message.unwrap_or_default(),
    };
    match backend()?.register(&input, &request_meta()).await {
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
    crate::ssr::backend()?
        .check_confirmation(&token)
        .await
        .map_err(crate::ssr::fail)
}

/// "Confirm my email address".
#[server(prefix = "/api", endpoint = "register/confirm")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    use crate::routes::encode_query_value;
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta};
    let back = format!("/register/confirm?token={}", encode_query_value(&token));
    match backend()?.confirm_email(&token, &request_meta()).await {
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
    use crate::ssr::{backend, fail, require};
    require(Permission::RequestsReview)?;
    let status = RequestStatus::parse(&status).unwrap_or(RequestStatus::Review);
    backend()?.access_requests(status, page).await.map_err(fail)
}

/// `/requests/{id}`.
#[server(prefix = "/api", endpoint = "requests/get")]
pub async fn get_access_request(id: String) -> Result<AccessRequestView, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};
    require(Permission::RequestsReview)?;
    backend()?.access_request(&id).await.map_err(fail)
}

/// The navigation's badge: requests waiting for review.
#[server(prefix = "/api", endpoint = "requests/waiting")]
pub async fn waiting_requests() -> Result<u64, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};
    require(Permission::RequestsReview)?;
    backend()?.waiting_requests().await.map_err(fail)
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
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta, require};
    let actor = require(Permission::RequestsReview)?;
    let page = format!("/requests/{}", encode_query_value(&id));
    let groups = groups.unwrap_or_default();
    match backend()?
        .approve_request(&actor, &request_meta(), &id, &role, &groups)
        .await
    {
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
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta, require};
    let actor = require(Permission::RequestsReview)?;
    let page = format!("/requests/{}", encode_query_value(&id));
    match backend()?
        .reject_request(&actor, &request_meta(), &id, &reason)
        .await
    {
        Ok(username) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!("{page}?decided=rejected"));
            }
            Ok(username)
        }
        Err(error) => Err(form_error(error, &page)),
    }
}
