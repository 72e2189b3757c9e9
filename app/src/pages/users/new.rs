use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::settings::directory_policy;
use crate::api::users::{directory_options, suggest_password, CreateUser};
use crate::components::alert::ErrorAlert;
use crate::components::field::TextField;
use crate::components::password::StrengthFor;
use crate::components::style;
use crate::validation::{self, NewUserInput};

/// `/users/new`: "Add user". Rules run as you type and again on the server.
#[component]
pub fn NewUserPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let options = Resource::new(|| (), |_| directory_options());
    let policy = Resource::new(|| (), |_| directory_policy());
    let rules = move || policy.get().and_then(Result::ok).unwrap_or_default();
    let query = use_query_map();

    let username = RwSignal::new(String::new());
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let invite = RwSignal::new(false);
    let generated = RwSignal::new(None::<String>);
    // A generated password is shown, so the admin can pass it on.
    let password_shown = RwSignal::new(false);

    let input = move || NewUserInput {
        username: username.get(),
        first_name: first_name.get(),
        last_name: last_name.get(),
        email: email.get(),
        phone: phone.get(),
        password: password.get(),
        invite: invite.get(),
    };
    // A field's message: the shared rule once something is typed, else the server's.
    let error = move |field: &'static str, value: RwSignal<String>| {
        Signal::derive(move || {
            let typed = !value.get().is_empty();
            let live = typed
                .then(|| {
                    let rules = rules();
                    validation::new_user(&input(), &rules)
                        .into_iter()
                        .find(|e| e.field == field)
                        .map(|e| e.message)
                        .or_else(|| {
                            let name = (field == "username").then(|| value.get())?;
                            validation::username_pattern(&rules, name.trim()).err()
                        })
                })
                .flatten();
            live.or_else(|| {
                create.value().with(|v| match v {
                    Some(Err(e)) => e.field_message(field),
                    _ => None,
                })
            })
        })
    };
    let general_error = move || match create.value().get() {
        Some(Err(crate::AppError::Validation(_))) | Some(Ok(())) => None,
        Some(Err(e)) => Some(e.to_string()),
        None => query.read().get("error"),
    };
    let generate = move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(p) = suggest_password().await {
                password.set(p.clone());
                password_shown.set(true);
                generated.set(Some(p));
            }
        });
    };

    view! {
        <leptos_meta::Title text="Add user"/>
        <h1 class="text-2xl font-semibold">"Add user"</h1>
        <ActionForm action=create attr:class="mt-6 max-w-3xl space-y-6">
            <div class="grid grid-cols-1 gap-4 sm:grid-cols-2">
                <TextField label="Username" name="username" value=username error=error("username", username)
                    hint="Lowercase, like jane.doe. It cannot be changed later."/>
                <TextField label="Email" name="email" kind="email" value=email error=error("email", email)/>
                <TextField label="First name" name="first_name" value=first_name error=error("first_name", first_name)/>
                <TextField label="Last name" name="last_name" value=last_name error=error("last_name", last_name)/>
                <TextField label="Phone (optional)" name="phone" kind="tel" value=phone optional=true
                    error=error("phone", phone) hint="For example +49 151 2345678."/>
                <div class="space-y-1">
                    <label for="field-role" class="block text-sm font-medium text-slate-700">"Role"</label>
                    <Suspense>
                        {move || options.get().and_then(Result::ok).map(|o| {
                            let general = o.roles.iter().find(|(_, n)| n == "General user").map(|(id, _)| id.clone());
                            view! {
                                <select id="field-role" name="role" class=style::INPUT>
                                    {o.givable_roles().into_iter().map(|(id, name)| {
                                        let selected = Some(&id) == general.as_ref();
                                        view! { <option value=id selected=selected>{name}</option> }
                                    }).collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                </div>
            </div>
            <fieldset>
                <legend class="text-sm font-medium text-slate-700">"Groups"</legend>
                <Suspense>
                    {move || options.get().and_then(Result::ok).map(|o| {
                        if o.groups.is_empty() {
                            return view! { <p class="text-sm text-slate-500">"No groups yet."</p> }.into_any();
                        }
                        view! {
                            <div class="mt-2 flex flex-wrap gap-x-6 gap-y-2">
                                {o.groups.into_iter().map(|(id, name)| view! {
                                    <label class="flex items-center gap-2 text-sm">
                                        <input type="checkbox" name="groups[]" value=id/>{name}
                                    </label>
                                }).collect_view()}
                            </div>
                        }.into_any()
                    })}
                </Suspense>
            </fieldset>
            <div class="flex flex-wrap gap-10">
                <fieldset>
                    <legend class="text-sm font-medium text-slate-700">"Internal/External"</legend>
                    <label class="mr-4 text-sm"><input type="radio" name="origin" value="internal" checked=true/>" Internal"</label>
                    <label class="text-sm"><input type="radio" name="origin" value="external"/>" External"</label>
                </fieldset>
                <fieldset>
                    <legend class="text-sm font-medium text-slate-700">"Status"</legend>
                    <label class="mr-4 text-sm"><input type="radio" name="status" value="active" checked=true/>" Active"</label>
                    <label class="text-sm"><input type="radio" name="status" value="inactive"/>" Inactive"</label>
                </fieldset>
            </div>
            <div class="space-y-2 rounded-md border border-slate-200 bg-white p-4">
                // Not `required` in HTML: with "Send an invitation instead"
                // it stays empty, also in a browser without JavaScript.
                <TextField label="Password" name="password" kind="password" value=password optional=true
                    autocomplete="new-password" shown=password_shown strength=StrengthFor::new(username, email)
                    error=error("password", password) disabled=Signal::derive(move || invite.get())/>
                <Suspense>
                    <p class="-mt-1 text-xs text-slate-500" data-testid="password-rules">{move || rules().password_hint()}</p>
                </Suspense>
                <div class="flex flex-wrap items-center gap-4">
                    <button type="button" on:click=generate disabled=move || invite.get()
                        class=style::SECONDARY>
                        "Generate password"
                    </button>
                    <label class="flex items-center gap-2 text-sm">
                        <input type="checkbox" name="invite" value="on"
                            on:change=move |ev| invite.set(event_target_checked(&ev))/>
                        "Send an invitation instead"
                    </label>
                </div>
                {move || generated.get().map(|p| view! {
                    <p class="text-sm" data-testid="generated-password">
                        "Generated password (shown once, copy it now): "
                        <code class="select-all rounded bg-slate-100 px-2 py-0.5">{p}</code>
                    </p>
                })}
            </div>
            {move || general_error().map(|message| view! { <ErrorAlert message/> })}
            <button type="submit" disabled=move || create.pending().get()
                class=style::PRIMARY>
                "Create user"
            </button>
        </ActionForm>
    }
}
