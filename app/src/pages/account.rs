use leptos::prelude::*;

use leptos_router::hooks::use_query_map;

use crate::app::use_auth;

/// The signed-in person's own page (the only page a General user sees).
#[component]
pub fn AccountPage() -> impl IntoView {
    let user = use_auth().user;
    let query = use_query_map();
    view! {
        <leptos_meta::Title text="My account"/>
        <h1 class="text-2xl font-semibold">"My account"</h1>
        {move || query.read().get("password_changed").map(|_| view! {
            <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
                "Your password is changed."
            </p>
        })}
        <Suspense>
            {move || user.get().flatten().map(|u| view! {
                <dl class="mt-4 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
                    <dt class="text-slate-500">"Username"</dt><dd>{u.username}</dd>
                    <dt class="text-slate-500">"Name"</dt><dd>{u.display_name}</dd>
                </dl>
            })}
        </Suspense>
        <p class="mt-6"><a href="/account/password" class="text-sm text-indigo-700 underline">"Change password"</a></p>
    }
}
