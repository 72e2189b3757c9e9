//! The user page's actions: activate or deactivate, invite, recovery mail,
//! set a password, delete after confirmation.
use super::*;

#[component]
pub(super) fn ActiveForm(
    action: ServerAction<SetUserActive>,
    username: String,
    active: bool,
    label: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action>
            <input type="hidden" name="username" value=username/>
            <input type="hidden" name="active" value=active.to_string()/>
            <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">{label}</button>
        </ActionForm>
    }
}

/// "Send invitation", or "Resend invitation" (which ends the earlier link).
#[component]
pub(super) fn InviteForm(username: String, resend: bool) -> impl IntoView {
    let action = expect_context::<ServerAction<SendInvitation>>();
    view! {
        <ActionForm action>
            <input type="hidden" name="username" value=username/>
            <button type="submit" disabled=move || action.pending().get()
                class="rounded-md border border-indigo-300 px-3 py-1.5 text-sm text-indigo-700 hover:bg-indigo-50 disabled:opacity-60">
                {if resend { "Resend invitation" } else { "Send invitation" }}
            </button>
        </ActionForm>
    }
}

/// "Send password recovery email": a one-hour link to choose a new password.
#[component]
pub(super) fn RecoveryForm(username: String) -> impl IntoView {
    let action = expect_context::<ServerAction<SendRecovery>>();
    view! {
        <ActionForm action>
            <input type="hidden" name="username" value=username/>
            <button type="submit" disabled=move || action.pending().get()
                class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-60">
                "Send password recovery email"
            </button>
        </ActionForm>
    }
}

/// "Change password": type one or generate one, ask for a change at the
/// next sign-in, tell the user by mail. A link opens it (no JavaScript needed).
#[component]
pub(super) fn SetPasswordPanel(username: String) -> impl IntoView {
    let action = expect_context::<ServerAction<SetUserPassword>>();
    let password = RwSignal::new(String::new());
    let base = format!("/users/{username}");
    let navigate = leptos_router::hooks::use_navigate();
    let done = base.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            navigate(&format!("{done}?password_set=1"), Default::default());
        }
    });
    let generate = move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(p) = crate::api::users::suggest_password().await {
                password.set(p);
            }
        });
    };
    let error = Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(e)) => e.field_message("password"),
            _ => None,
        })
    });
    let title = format!("Change the password of {username}");
    view! {
        <div role="dialog" aria-labelledby="password-title" class="mt-4 max-w-xl rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="password-title" class="font-semibold">{title}</h2>
            <ActionForm action attr:class="mt-3 space-y-3">
                <input type="hidden" name="username" value=username/>
                <crate::components::field::TextField label="New password" name="password" kind="text"
                    autocomplete="off" value=password error/>
                <button type="button" on:click=generate
                    class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">"Generate new password"</button>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="force_change" value="on" checked=true/>
                    "Ask for a password change at the next sign-in"
                </label>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="notify" value="on" checked=true/>
                    "Notify the user by email (the mail does not contain the password)"
                </label>
                <p class="text-sm text-slate-600">"The user is signed out everywhere. Give them the new password yourself."</p>
                <div class="flex gap-2">
                    <button type="submit" disabled=move || action.pending().get()
                        class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">"Set password"</button>
                    <A href=base attr:class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">"Cancel"</A>
                </div>
            </ActionForm>
        </div>
    }
}

/// The confirmation that names the user; a link opens it, so it works
/// without JavaScript too.
#[component]
pub(super) fn ConfirmDelete(action: ServerAction<DeleteUser>, username: String) -> impl IntoView {
    let title = format!("Delete {username}?");
    let button = format!("Delete {username}");
    let cancel = format!("/users/{username}");
    view! {
        <div role="alertdialog" aria-labelledby="confirm-title" class="mt-4 rounded-lg border border-red-200 bg-red-50 p-4">
            <h2 id="confirm-title" class="font-semibold text-red-800">{title}</h2>
            <p class="mt-1 text-sm text-red-800">"The account, its sessions and memberships are removed. This cannot be undone."</p>
            <div class="mt-3 flex gap-2">
                <ActionForm action>
                    <input type="hidden" name="username" value=username/>
                    <button type="submit" class="rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-500">
                        {button}
                    </button>
                </ActionForm>
                <A href=cancel attr:class="rounded-md border border-slate-300 px-3 py-1.5 text-sm">"Cancel"</A>
            </div>
        </div>
    }
}
