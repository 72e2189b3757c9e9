use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Page, UserSummary};

/// One page of the users table.
#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users(page: u64, per_page: u64) -> Result<Page<UserSummary>, AppError> {
    use crate::model::{PageRequest, Permission};
    use crate::ssr::{backend, fail, require};

    require(Permission::UsersRead)?;
    backend()?
        .list_users(PageRequest::new(Some(page), Some(per_page)))
        .await
        .map_err(fail)
}
