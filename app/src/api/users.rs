use leptos::prelude::*;

use crate::error::AppError;
use crate::model::UserPage;

/// One page of the users table; `query` is the page's URL query string.
#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users(query: String) -> Result<UserPage, AppError> {
    use crate::model::{Permission, UserQuery};
    use crate::ssr::{backend, fail, require};

    require(Permission::UsersRead)?;
    backend()?
        .list_users(UserQuery::parse(&query))
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "users/options")]
pub async fn directory_options() -> Result<crate::model::FilterChoices, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};

    require(Permission::UsersRead)?;
    backend()?.directory_options().await.map_err(fail)
}
