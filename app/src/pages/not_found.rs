use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <leptos_meta::Title text="Not found"/>
        <main class="mx-auto max-w-lg p-10">
            <h1 class="text-2xl font-semibold">"404 — Page not found"</h1>
            <p class="mt-2 text-slate-600">"There is nothing at this address."</p>
            <a href="/" class="mt-4 inline-block text-indigo-700 underline">"Go to the start page"</a>
        </main>
    }
}
