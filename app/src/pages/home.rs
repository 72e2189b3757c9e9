use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::auth_state::use_auth;

/// `/` sends people where they belong: their start page, or sign-in.
#[component]
pub fn HomePage() -> impl IntoView {
    let user = use_auth().user;
    view! {
        <Suspense>
            {move || user.get().map(|user| {
                let target = user.map(|u| u.home().to_string()).unwrap_or_else(|| "/login".into());
                view! { <Redirect path=target/> }
            })}
        </Suspense>
    }
}
