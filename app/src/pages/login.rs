use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::auth_state::use_auth;
use crate::components::alert::ErrorAlert;
use crate::components::style;

/// `/login`: "Username or email", "Password", "Sign in". Works without
/// JavaScript too: the server then redirects back here with `?error=`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = use_auth().login;
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let policy = Resource::new(|| (), |_| crate::api::settings::directory_policy());
    let certificate_url = Resource::new(
        || (),
        |_| crate::api::certificates::certificate_sign_in_url(),
    );
    let certificate_refusal = move || {
        query
            .read()
            .get("certificate")
            .map(|code| certificate_message(&code))
    };
    let error = move || match login.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        Some(Ok(_)) => None,
        None => query.read().get("error"),
    };
    view! {
        <leptos_meta::Title text="Sign in"/>
        <main class="min-h-screen flex items-center justify-center px-4">
            <div class="w-full max-w-sm rounded-xl bg-white p-8 shadow">
                <h1 class="text-xl font-semibold">"Sign in to Usher"</h1>
                {move || query.read().get("reset").map(|_| view! {
                    <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
                        "Your password is changed. Sign in with it."
                    </p>
                })}
                <ActionForm action=login attr:class="mt-6 space-y-4">
                    <input type="hidden" name="next" value=next/>
                    <div class="space-y-1">
                        <label for="username" class="block text-sm font-medium text-slate-700">"Username or email"</label>
                        <input id="username" name="username" autocomplete="username" required
                            class=style::INPUT/>
                    </div>
                    <div class="space-y-1">
                        <label for="password" class="block text-sm font-medium text-slate-700">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required
                            class=style::INPUT/>
                    </div>
                    {move || error().map(|message| view! { <ErrorAlert message/> })}
                    <button type="submit" disabled=move || login.pending().get()
                        class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                        "Sign in"
                    </button>
                </ActionForm>
                {move || certificate_refusal().map(|message| view! { <div class="mt-4" data-testid="certificate-refusal"><ErrorAlert message/></div> })}
                <Suspense>
                    {move || certificate_url.get().and_then(Result::ok).flatten().map(|href| view! {
                        <a href=href rel="external" data-testid="certificate-sign-in"
                            class="mt-4 block w-full rounded-md border border-slate-300 px-4 py-2 text-center text-sm font-medium hover:bg-slate-100">
                            "Sign in with certificate"
                        </a>
                    })}
                </Suspense>
                <p class="mt-4 text-sm"><a href="/forgot-password" class="text-indigo-700 underline">"Forgot password?"</a></p>
                <Suspense>
                    {move || policy.get().and_then(Result::ok).filter(|p| p.registration_open).map(|_| view! {
                        <p class="mt-2 text-sm text-slate-600">
                            "New here? " <a href="/register" class="text-indigo-700 underline">"Request an account"</a>
                        </p>
                    })}
                </Suspense>
            </div>
        </main>
    }
}

/// Why certificate sign-in (on the HTTPS listener) did not sign anyone in.
fn certificate_message(code: &str) -> String {
    match code {
        "none" => "Your browser did not present a certificate. Import the certificate file from your email (and Usher's CA certificate), then try again.",
        "revoked" => "This certificate has been revoked. Ask an administrator for a new one.",
        "expired" => "This certificate has expired. Ask an administrator to renew it.",
        "inactive" => "This account is deactivated, so its certificate does not sign in.",
        "unknown" => "Usher does not know this certificate. Use the certificate Usher mailed you.",
        _ => "Certificate sign-in failed. Try again in a moment.",
    }
    .to_string()
}
