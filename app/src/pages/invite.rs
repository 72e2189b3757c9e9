use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::invitations::{check_invitation, AcceptInvitation, RenewInvitation};
use crate::api::settings::directory_policy;
use crate::components::alert::ErrorAlert;
use crate::components::field::TextField;
use crate::components::password::StrengthFor;
use crate::model::Invitation;
use crate::validation::{self, Policy};

/// `/invite?token=…`: the link from an invitation mail. The invited person
/// confirms their names and chooses a password, and is signed in.
#[component]
pub fn InvitePage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let check = Resource::new(token, check_invitation);
    let policy = Resource::new(|| (), |_| directory_policy());
    view! {
        <leptos_meta::Title text="Join Usher"/>
        <main class="min-h-screen flex items-center justify-center px-4 py-10">
            <div class="w-full max-w-md rounded-xl bg-white p-6 shadow sm:p-8">
                <h1 class="text-xl font-semibold">"Welcome to Usher"</h1>
                <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Checking your link…"</p> }>
                    {move || {
                        let policy = policy.get().and_then(Result::ok).unwrap_or_default();
                        check.get().map(|result| match result {
                            Ok(invitation) => view! {
                                <JoinForm token=token() invitation policy/>
                            }.into_any(),
                            Err(error) => view! {
                                <UnusableLink token=token() message=error.to_string()/>
                            }.into_any(),
                        })
                    }}
                </Suspense>
            </div>
        </main>
    }
}

#[component]
fn JoinForm(token: String, invitation: Invitation, policy: Policy) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    crate::auth_state::follow(accept.value());
    let query = use_query_map();
    let first = RwSignal::new(invitation.first_name.clone());
    let last = RwSignal::new(invitation.last_name.clone());
    let password = RwSignal::new(String::new());
    let who = (invitation.username.clone(), invitation.email.clone());
    let min = policy.password_min;

    // As you type: the shared rules; after a submit: the server's word.
    let server_error = move |field: &'static str| {
        accept.value().with(|v| match v {
            Some(Err(e)) => e.field_message(field),
            _ => None,
        })
    };
    let live = move |field: &'static str, value: RwSignal<String>| {
        Signal::derive(move || {
            let v = value.get();
            let rule = match field {
                "password" => validation::password_length_at_least(&v, min),
                _ => validation::person_name(&v),
            };
            if v.is_empty() {
                server_error(field)
            } else {
                rule.err().or_else(|| server_error(field))
            }
        })
    };
    let general_error = move || match accept.value().get() {
        Some(Err(crate::AppError::Validation(_))) | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
        None => query.read().get("error"),
    };
    view! {
        <p class="mt-2 text-sm text-slate-600">
            "You have been invited. Confirm your name and choose a password to finish your account."
        </p>
        <dl class="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt class="text-slate-500">"Username"</dt>
            <dd class="font-medium" data-testid="invite-username">{invitation.username}</dd>
            <dt class="text-slate-500">"Email"</dt>
            <dd class="break-all">{invitation.email}</dd>
        </dl>
        <ActionForm action=accept attr:class="mt-6 space-y-4">
            <input type="hidden" name="token" value=token/>
            <TextField label="First name" name="first_name" autocomplete="given-name" value=first
                error=live("first_name", first)/>
            <TextField label="Last name" name="last_name" autocomplete="family-name" value=last
                error=live("last_name", last)/>
            <TextField label="Password" name="password" kind="password" autocomplete="new-password"
                value=password hint=policy.password_hint() error=live("password", password)
                strength=StrengthFor::new(Signal::derive(move || who.0.clone()), Signal::derive(move || who.1.clone()))/>
            {move || general_error().map(|message| view! { <ErrorAlert message/> })}
            <button type="submit" disabled=move || accept.pending().get()
                class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                "Join"
            </button>
        </ActionForm>
    }
}

/// An expired, replaced, used or unknown link: say so, and offer a new link
/// (sent to the invited address, never shown here) or signing in.
#[component]
fn UnusableLink(token: String, message: String) -> impl IntoView {
    let renew = ServerAction::<RenewInvitation>::new();
    let query = use_query_map();
    let renewed = move || {
        matches!(renew.value().get(), Some(Ok(()))) || query.read().get("renewed").is_some()
    };
    view! {
        <div class="mt-4 space-y-4">
            <ErrorAlert message/>
            <Show when=renewed fallback=move || {
                let token = token.clone();
                view! {
                    <ActionForm action=renew>
                        <input type="hidden" name="token" value=token/>
                        <button type="submit" disabled=move || renew.pending().get()
                            class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                            "Ask for a new link"
                        </button>
                    </ActionForm>
                }
            }>
                <p role="status" class="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
                    "If this invitation is still open, a new link is on its way to the invited address. It can take a few minutes."
                </p>
            </Show>
            <p class="text-sm text-slate-600">
                "Already joined? " <a href="/login" class="text-indigo-700 underline">"Sign in"</a>
            </p>
        </div>
    }
}
