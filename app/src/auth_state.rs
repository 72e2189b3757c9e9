//! The sign-in state every page reads: who is signed in, and the actions
//! that change it. `app.rs` provides it; pages and the layout use it.
use leptos::prelude::*;

use crate::api::auth::{whoami, CompleteSetup, Login, Logout};
use crate::model::CurrentUser;

/// Sign-in state shared by every page: the actions that change it and the
/// resource that reads it, refetched after each of them.
#[derive(Clone, Copy)]
pub struct Auth {
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub setup: ServerAction<CompleteSetup>,
    pub user: Resource<Option<CurrentUser>>,
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// After sign-in, set-up or sign-out succeeds, load the next page afresh.
pub fn follow(result: impl Get<Value = Option<Result<String, crate::AppError>>> + 'static) {
    Effect::new(move |_| {
        if let Some(Ok(path)) = result.get() {
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href(&path);
            #[cfg(not(feature = "hydrate"))]
            let _ = path;
        }
    });
}

/// Makes the sign-in state and puts it in context for every page.
pub fn provide_auth() {
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let setup = ServerAction::<CompleteSetup>::new();
    let user = Resource::new(|| (), |_| async move { whoami().await.ok().flatten() });
    follow(login.value());
    follow(logout.value());
    follow(setup.value());
    provide_context(Auth {
        login,
        logout,
        setup,
        user,
    });
}
