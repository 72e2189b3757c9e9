//! `/register` (when an admin allows it) and `/register/confirm?token=…`,
//! the link from the confirmation mail.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::registration::{check_confirmation, ConfirmEmail, Register};
use crate::api::settings::directory_policy;
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::field::TextField;
use crate::components::style;
use crate::model::access_request::MESSAGE_MAX;
use crate::validation::{self, Policy};

/// The card every public page of this flow sits in.
#[component]
fn Card(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <leptos_meta::Title text=title.clone()/>
        <main class="min-h-screen flex items-center justify-center px-4 py-10">
            <div class="w-full max-w-md rounded-xl bg-white p-6 shadow sm:p-8">
                <h1 class="text-xl font-semibold">{title}</h1>
                {children()}
            </div>
        </main>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let policy = Resource::new(|| (), |_| directory_policy());
    view! {
        <Card title="Request an account">
            <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
                {move || policy.get().map(|result| match result {
                    Ok(policy) if policy.registration_open => view! { <RegisterForm policy/> }.into_any(),
                    Ok(_) => view! {
                        <p class="mt-4 text-sm text-slate-700" data-testid="registration-closed">
                            "Registration is closed. Ask an administrator for an invitation."
                        </p>
                        <p class="mt-6 text-sm"><a href="/login" class="text-indigo-700 underline">"Sign in"</a></p>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                })}
            </Suspense>
        </Card>
    }
}

#[component]
fn RegisterForm(policy: Policy) -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let query = use_query_map();
    let sent = move || {
        matches!(register.value().get(), Some(Ok(()))) || query.read().get("sent").is_some()
    };
    let username = RwSignal::new(String::new());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let server_error = move |field: &'static str| {
        register.value().with(|v| match v {
            Some(Err(e)) => e.field_message(field),
            _ => None,
        })
    };
    let username_hint = if policy.username_hint.is_empty() {
        "Lowercase letters, digits, '.', '-' or '_', e.g. jane.doe.".to_string()
    } else {
        policy.username_message()
    };
    let policy = StoredValue::new(policy);
    let live = move |field: &'static str, value: RwSignal<String>| {
        Signal::derive(move || {
            let v = value.get();
            let rule = match field {
                "username" => validation::username(v.trim())
                    .and_then(|_| policy.with_value(|p| validation::username_pattern(p, v.trim()))),
                "email" => validation::email(v.trim()),
                "message" => validation::message(&v),
                _ => validation::person_name(&v),
            };
            if v.is_empty() {
                server_error(field)
            } else {
                rule.err().or_else(|| server_error(field))
            }
        })
    };
    let general_error = move || match register.value().get() {
        Some(Err(crate::AppError::Validation(_))) | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
        None => query.read().get("error"),
    };
    view! {
        <Show when=sent fallback=move || {
            let username_hint = username_hint.clone();
            view! {
                <p class="mt-2 text-sm text-slate-600">
                    "Tell us who you are. We mail you a link to confirm your address; then an administrator reviews your request."
                </p>
                <ActionForm action=register attr:class="mt-6 space-y-4">
                    <TextField label="Username" name="username" autocomplete="username" value=username
                        hint=username_hint error=live("username", username)/>
                    <TextField label="First name" name="first_name" autocomplete="given-name" value=first
                        error=live("first_name", first)/>
                    <TextField label="Last name" name="last_name" autocomplete="family-name" value=last
                        error=live("last_name", last)/>
                    <TextField label="Email" name="email" kind="email" autocomplete="email" value=email
                        error=live("email", email)/>
                    <div class="space-y-1">
                        <label for="field-message" class="block text-sm font-medium text-slate-700">
                            "Message to the administrators (optional)"
                        </label>
                        <textarea id="field-message" name="message" rows="3" maxlength=MESSAGE_MAX.to_string()
                            aria-describedby="field-message-error"
                            class=style::INPUT
                            prop:value=crate::components::field::live_value("field-message".into(), message)
                            on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                        <p id="field-message-error" class="text-sm text-red-700">{move || live("message", message).get()}</p>
                    </div>
                    {move || general_error().map(|message| view! { <ErrorAlert message/> })}
                    <button type="submit" disabled=move || register.pending().get()
                        class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                        "Request account"
                    </button>
                </ActionForm>
                <p class="mt-6 text-sm text-slate-600">
                    "Already have an account? " <a href="/login" class="text-indigo-700 underline">"Sign in"</a>
                </p>
            }
        }>
            <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
                "Thank you. Check your inbox: we sent a link to confirm your email address. It works for 24 hours."
            </p>
        </Show>
    }
}

/// `/register/confirm?token=…`: a button, not the page load, confirms, so a
/// mail scanner opening the link confirms nothing.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let confirmed_in_url = move || query.read().get("confirmed").is_some();
    let check = Resource::new(token, check_confirmation);
    let confirm = ServerAction::<ConfirmEmail>::new();
    let done = move || matches!(confirm.value().get(), Some(Ok(()))) || confirmed_in_url();
    let error = move || {
        confirm
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
            .or_else(|| query.read().get("error"))
    };
    view! {
        <Card title="Confirm your email address">
            <Show when=done fallback=move || view! {
                <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Checking your link…"</p> }>
                    {move || check.get().map(|result| match result {
                        Ok(address) => view! {
                            <p class="mt-2 text-sm text-slate-600">
                                "Confirm that " <strong class="break-all">{address}</strong> " is your address."
                            </p>
                            <ActionForm action=confirm attr:class="mt-6 space-y-4">
                                <input type="hidden" name="token" value=token()/>
                                {move || error().map(|message| view! { <ErrorAlert message/> })}
                                <button type="submit" disabled=move || confirm.pending().get()
                                    class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                                    "Confirm my email address"
                                </button>
                            </ActionForm>
                        }.into_any(),
                        Err(error) => view! {
                            <div class="mt-4"><ErrorAlert message=error.to_string()/></div>
                        }.into_any(),
                    })}
                </Suspense>
            }>
                <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
                    "Thank you, your address is confirmed. An administrator will review your request; you will get a mail with the decision."
                </p>
            </Show>
        </Card>
    }
}
