use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::recovery::{check_recovery, ResetPassword};
use crate::api::settings::directory_policy;
use crate::components::alert::ErrorAlert;
use crate::components::field::TextField;
use crate::components::password::StrengthFor;
use crate::validation;

/// `/reset-password?token=…`: the link from a recovery mail.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let check = Resource::new(token, check_recovery);
    let policy = Resource::new(|| (), |_| directory_policy());
    view! {
        <leptos_meta::Title text="Choose a new password"/>
        <main class="min-h-screen flex items-center justify-center px-4">
            <div class="w-full max-w-sm rounded-xl bg-white p-6 shadow sm:p-8">
                <h1 class="text-xl font-semibold">"Choose a new password"</h1>
                <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Checking your link…"</p> }>
                    {move || {
                        let policy = policy.get().and_then(Result::ok).unwrap_or_default();
                        check.get().map(|result| match result {
                            Ok(username) => view! {
                                <ResetForm token=token() username policy/>
                            }.into_any(),
                            Err(error) => view! {
                                <div class="mt-4 space-y-3">
                                    <ErrorAlert message=error.to_string()/>
                                    <p class="text-sm"><a href="/forgot-password" class="text-indigo-700 underline">"Ask for a new link"</a></p>
                                </div>
                            }.into_any(),
                        })
                    }}
                </Suspense>
            </div>
        </main>
    }
}

#[component]
fn ResetForm(token: String, username: String, policy: validation::Policy) -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    crate::auth_state::follow(reset.value());
    let query = use_query_map();
    let password = RwSignal::new(String::new());
    let min = policy.password_min;
    let error = Signal::derive(move || {
        let typed = password.get();
        let live = (!typed.is_empty())
            .then(|| validation::password_length_at_least(&typed, min).err())
            .flatten();
        live.or_else(|| {
            reset.value().with(|v| match v {
                Some(Err(e)) => e.field_message("password"),
                _ => None,
            })
        })
    });
    let general_error = move || match reset.value().get() {
        Some(Err(crate::AppError::Validation(_))) | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
        None => query.read().get("error"),
    };
    view! {
        <p class="mt-2 text-sm text-slate-600">
            "For " <strong data-testid="reset-username">{username}</strong>
            ". Choosing it signs you out on every device."
        </p>
        <ActionForm action=reset attr:class="mt-6 space-y-4">
            <input type="hidden" name="token" value=token/>
            <TextField label="New password" name="password" kind="password" autocomplete="new-password"
                value=password hint=policy.password_hint() error strength=StrengthFor::anyone()/>
            {move || general_error().map(|message| view! { <ErrorAlert message/> })}
            <button type="submit" disabled=move || reset.pending().get()
                class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                "Set password"
            </button>
        </ActionForm>
    }
}
