use leptos::prelude::*;

use crate::app::use_auth;

/// The signed-in person's own page (the only page a General user sees).
#[component]
pub fn AccountPage() -> impl IntoView {
    let user = use_auth().user;
    view! {
        <leptos_meta::Title text="My account"/>
        <h1 class="text-2xl font-semibold">"My account"</h1>
        <Suspense>
            {move || user.get().flatten().map(|u| view! {
                <dl class="mt-4 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
                    <dt class="text-slate-500">"Username"</dt><dd>{u.username}</dd>
                    <dt class="text-slate-500">"Name"</dt><dd>{u.display_name}</dd>
                </dl>
            })}
        </Suspense>
    }
}
