//! `/settings`: the rules for usernames and passwords.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::settings::{directory_policy, SavePolicy};
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::style;
use crate::error::AppError;
use crate::validation::{Policy, PASSWORD_MAX, PASSWORD_MIN_LOWEST};

const INPUT: &str = style::INPUT;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SavePolicy>::new();
    let query = use_query_map();
    let policy = Resource::new(move || save.version().get(), |_| directory_policy());
    // Field errors show at their fields (`PolicyForm`); the banner has the
    // rest, and the message a browser without JavaScript is sent back with.
    let error = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::Validation(_)))
            .map(|e| e.summary())
            .or_else(|| query.read().get("error"))
    };
    let saved =
        move || matches!(save.value().get(), Some(Ok(()))) || query.read().get("saved").is_some();
    view! {
        <leptos_meta::Title text="Settings"/>
        <h1 class="text-2xl font-semibold">"Settings"</h1>
        <p class="mt-2 flex flex-wrap gap-4 text-sm">
            <a href="/settings/mail" class="text-indigo-700 underline">"Mail settings and outbox"</a>
            <a href="/settings/certificates" class="text-indigo-700 underline">"Certificate authority"</a>
        </p>
        {move || error().map(|message| view! { <div class="mt-4 max-w-2xl"><ErrorAlert message/></div> })}
        <Show when=saved>
            <p role="status" class="mt-4 max-w-2xl rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
                "Saved. New and changed accounts follow these rules from now on."
            </p>
        </Show>
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading settings…"</p> }>
            {move || policy.get().map(|result| match result {
                Ok(policy) => view! { <PolicyForm policy save/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn PolicyForm(policy: Policy, save: ServerAction<SavePolicy>) -> impl IntoView {
    // A field's error from the last save, until its value is changed.
    let edited = RwSignal::new(Vec::<&'static str>::new());
    Effect::new(move |_| {
        save.version().get();
        edited.set(Vec::new());
    });
    let problem = move |field: &'static str| {
        if edited.with(|e| e.contains(&field)) {
            return None;
        }
        save.value().with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().err())
                .and_then(|e| e.field_message(field))
        })
    };
    let touched = move |field: &'static str| move |_| edited.update(|e| e.push(field));
    let message = move |field: &'static str, id: &'static str| {
        move || {
            problem(field)
                .map(|m| view! { <p id=id role="alert" class="mt-1 text-sm text-red-700">{m}</p> })
        }
    };
    view! {
        <section class="mt-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="policy-title">
            <h2 id="policy-title" class="text-lg font-semibold">"Usernames and passwords"</h2>
            <ActionForm action=save attr:class="mt-4 space-y-5">
                <div>
                    <label for="username-pattern" class="block text-sm font-medium text-slate-700">"Username pattern (optional)"</label>
                    <input id="username-pattern" name="username_pattern" value=policy.username_pattern.clone()
                        placeholder="[a-z]+\\.[a-z]+" class=format!("{INPUT} font-mono")
                        on:input=touched("username_pattern")
                        aria-invalid=move || problem("username_pattern").map(|_| "true")
                        aria-describedby="username-pattern-error username-pattern-help"/>
                    {message("username_pattern", "username-pattern-error")}
                    <p id="username-pattern-help" class="mt-1 text-sm text-slate-600">
                        "A regular expression the whole username must match, on top of the built-in rules "
                        "(3 to 64 lowercase letters, digits, '.', '-' and '_'). Leave empty for none. "
                        "Existing usernames are not changed."
                    </p>
                </div>
                <div>
                    <label for="username-hint" class="block text-sm font-medium text-slate-700">"What the pattern asks for"</label>
                    <input id="username-hint" name="username_hint" value=policy.username_hint.clone()
                        placeholder="first.last, e.g. jane.doe" class=style::INPUT
                        on:input=touched("username_hint")
                        aria-invalid=move || problem("username_hint").map(|_| "true")
                        aria-describedby="username-hint-error"/>
                    {message("username_hint", "username-hint-error")}
                </div>
                <div>
                    <label for="password-min" class="block text-sm font-medium text-slate-700">"Minimum password length"</label>
                    <input id="password-min" name="password_min" type="number" required
                        min=PASSWORD_MIN_LOWEST.to_string() max=PASSWORD_MAX.to_string()
                        value=policy.password_min.to_string() class=format!("{INPUT} max-w-[8rem]")
                        on:input=touched("password_min")
                        aria-invalid=move || problem("password_min").map(|_| "true")
                        aria-describedby="password-min-error"/>
                    {message("password_min", "password-min-error")}
                    <p class="mt-1 text-sm text-slate-600">
                        {format!("Between {PASSWORD_MIN_LOWEST} and {PASSWORD_MAX}. Passwords have no composition rules; length and the list below are what make them strong.")}
                    </p>
                </div>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="reject_common" value="on" checked=policy.reject_common class="h-4 w-4"/>
                    "Refuse the 10,000 most common passwords"
                </label>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="registration_open" value="on" checked=policy.registration_open class="h-4 w-4"/>
                    "Let people request an account on the public page /register (an admin approves each request)"
                </label>
                <button type="submit" class=style::PRIMARY>
                    "Save settings"
                </button>
            </ActionForm>
        </section>
    }
}
