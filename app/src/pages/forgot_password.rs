use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::recovery::RequestRecovery;
use crate::components::alert::ErrorAlert;
use crate::components::style;

/// `/forgot-password`: asks for a username or email and always gives the
/// same answer, so it tells nobody which accounts exist.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestRecovery>::new();
    let query = use_query_map();
    let sent =
        move || matches!(request.value().get(), Some(Ok(()))) || query.read().get("sent").is_some();
    let error = move || {
        request
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <leptos_meta::Title text="Forgot password"/>
        <main class="min-h-screen flex items-center justify-center px-4">
            <div class="w-full max-w-sm rounded-xl bg-white p-6 shadow sm:p-8">
                <h1 class="text-xl font-semibold">"Forgot your password?"</h1>
                <Show when=sent fallback=move || view! {
                    <p class="mt-2 text-sm text-slate-600">
                        "Enter your username or email. If it belongs to an active account, we mail a link to choose a new password."
                    </p>
                    <ActionForm action=request attr:class="mt-6 space-y-4">
                        <div class="space-y-1">
                            <label for="login" class="block text-sm font-medium text-slate-700">"Username or email"</label>
                            <input id="login" name="login" autocomplete="username" required
                                class=style::INPUT/>
                        </div>
                        {move || error().map(|message| view! { <ErrorAlert message/> })}
                        <button type="submit" disabled=move || request.pending().get()
                            class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                            "Send the link"
                        </button>
                    </ActionForm>
                }>
                    <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
                        "If an active account matches, a link to choose a new password is on its way to its email address. It works for one hour."
                    </p>
                </Show>
                <p class="mt-6 text-sm"><a href="/login" class="text-indigo-700 underline">"Back to sign in"</a></p>
            </div>
        </main>
    }
}
