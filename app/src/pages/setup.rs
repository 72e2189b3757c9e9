use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::auth::check_setup;
use crate::auth_state::use_auth;
use crate::components::alert::ErrorAlert;
use crate::components::field::TextField;
use crate::components::password::StrengthFor;
use crate::validation;

/// `/setup?token=…`: the one-time link printed at first start, where the
/// first administrator chooses a username, email and password.
#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let check = Resource::new(token, check_setup);
    view! {
        <leptos_meta::Title text="Set up Usher"/>
        <main class="min-h-screen flex items-center justify-center px-4 py-10">
            <div class="w-full max-w-md rounded-xl bg-white p-8 shadow">
                <h1 class="text-xl font-semibold">"Set up Usher"</h1>
                <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Checking your link…"</p> }>
                    {move || check.get().map(|result| match result {
                        Ok(()) => view! { <SetupForm token=token()/> }.into_any(),
                        Err(error) => view! {
                            <div class="mt-4 space-y-3">
                                <ErrorAlert message=error.to_string()/>
                                <p class="text-sm text-slate-600">
                                    "Restart Usher (or run "<code>"usher create-admin"</code>") to get a new set-up link."
                                </p>
                            </div>
                        }.into_any(),
                    })}
                </Suspense>
            </div>
        </main>
    }
}

#[component]
fn SetupForm(token: String) -> impl IntoView {
    let setup = use_auth().setup;
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    // As you type: the shared rules; after a submit: the server's word.
    let server_error = move |field: &'static str| {
        setup.value().with(|v| match v {
            Some(Err(e)) => e.field_message(field),
            _ => None,
        })
    };
    let live = move |field: &'static str,
                     value: RwSignal<String>,
                     rule: fn(&str) -> Result<(), String>| {
        Signal::derive(move || {
            let v = value.get();
            if v.is_empty() {
                server_error(field)
            } else {
                rule(&v).err().or_else(|| server_error(field))
            }
        })
    };
    let general_error = move || match setup.value().get() {
        Some(Err(crate::AppError::Validation(_))) | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
        None => query.read().get("error"),
    };

    view! {
        <p class="mt-2 text-sm text-slate-600">"Create the first administrator account."</p>
        <ActionForm action=setup attr:class="mt-6 space-y-4">
            <input type="hidden" name="token" value=token/>
            <TextField label="Username" name="username" autocomplete="username" value=username
                hint="Lowercase letters, digits, '.', '-' or '_'; for example jane.doe."
                error=live("username", username, validation::username)/>
            <TextField label="Email" name="email" kind="email" autocomplete="email" value=email
                error=live("email", email, validation::email)/>
            <TextField label="Password" name="password" kind="password" autocomplete="new-password" value=password
                strength=StrengthFor::new(username, email)
                hint="At least 12 characters. A passphrase is easiest to remember."
                error=live("password", password, validation::password_length)/>
            {move || general_error().map(|message| view! { <ErrorAlert message/> })}
            <button type="submit" disabled=move || setup.pending().get()
                class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                "Create admin account"
            </button>
        </ActionForm>
    }
}
