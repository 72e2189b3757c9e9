use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::passwords::ChangePassword;
use crate::api::settings::directory_policy;
use crate::auth_state::use_auth;
use crate::components::alert::ErrorAlert;
use crate::components::field::TextField;
use crate::components::password::StrengthFor;
use crate::components::style;
use crate::validation;

/// `/account/password`: change your own password. When an admin asked for
/// a new one, every other page leads here until it is done.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    crate::auth_state::follow(change.value());
    let user = use_auth().user;
    let policy = Resource::new(|| (), |_| directory_policy());
    let query = use_query_map();
    let current = RwSignal::new(String::new());
    let auth_user = crate::auth_state::use_auth().user;
    let me = StrengthFor::new(
        Signal::derive(move || {
            auth_user
                .get()
                .flatten()
                .map(|u| u.username)
                .unwrap_or_default()
        }),
        Signal::derive(String::new),
    );
    let new = RwSignal::new(String::new());
    let min = move || {
        policy
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .password_min
    };
    let server_error = move |field: &'static str| {
        change.value().with(|v| match v {
            Some(Err(e)) => e.field_message(field),
            _ => None,
        })
    };
    let new_error = Signal::derive(move || {
        let typed = new.get();
        let live = (!typed.is_empty())
            .then(|| validation::password_length_at_least(&typed, min()).err())
            .flatten();
        live.or_else(|| server_error("new_password"))
    });
    let current_error = Signal::derive(move || server_error("current_password"));
    let general_error = move || match change.value().get() {
        Some(Err(crate::AppError::Validation(_))) | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
        None => query.read().get("error"),
    };
    let forced = move || user.get().flatten().is_some_and(|u| u.must_change_password);
    view! {
        <leptos_meta::Title text="Change password"/>
        <h1 class="text-2xl font-semibold">"Change password"</h1>
        <Suspense>
            {move || forced().then(|| view! {
                <p role="status" class="mt-4 max-w-md rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
                    "Your administrator asked you to choose a new password before you go on."
                </p>
            })}
        </Suspense>
        <ActionForm action=change attr:class="mt-6 max-w-md space-y-4">
            <TextField label="Current password" name="current_password" kind="password"
                autocomplete="current-password" value=current error=current_error/>
            <Suspense>
                {move || {
                    let hint = policy.get().and_then(Result::ok).unwrap_or_default().password_hint();
                    view! {
                        <TextField label="New password" name="new_password" kind="password"
                            autocomplete="new-password" value=new hint error=new_error strength=me/>
                    }
                }}
            </Suspense>
            {move || general_error().map(|message| view! { <ErrorAlert message/> })}
            <p class="text-sm text-slate-600">"Changing it signs you out on your other devices."</p>
            <button type="submit" disabled=move || change.pending().get()
                class=style::PRIMARY>
                "Change password"
            </button>
        </ActionForm>
    }
}
