//! The user page's actions: activate or deactivate, invite, recovery mail,
//! set a password, delete after confirmation.
use super::*;
use crate::components::confirm::ConfirmDialog;

#[component]
pub(super) fn ActiveForm(
    action: ServerAction<SetUserActive>,
    username: String,
    active: bool,
    label: String,
    class: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action>
            <input type="hidden" name="username" value=username/>
            <input type="hidden" name="active" value=active.to_string()/>
            <button type="submit" disabled=move || action.pending().get() class=class>{label}</button>
        </ActionForm>
    }
}

/// "Deactivate bob.berg?": signed out, and certificates gone for good.
#[component]
pub(super) fn ConfirmDeactivate(
    action: ServerAction<SetUserActive>,
    username: String,
    certificates: u64,
) -> impl IntoView {
    let lost = crate::model::certificates_lost(certificates);
    let again = if certificates > 0 {
        " Activating them again does not bring certificates back."
    } else {
        ""
    };
    let message = format!(
        "{username} is signed out everywhere and cannot sign in until activated again.{lost}{again}"
    );
    view! {
        <ConfirmDialog title=format!("Deactivate {username}?") message cancel=user_href(&username)>
            <ActiveForm action username=username.clone() active=false
                label=format!("Deactivate {username}") class=style::DANGER_CONFIRM/>
        </ConfirmDialog>
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
                class=style::SECONDARY>
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
    let shown = RwSignal::new(false);
    let who = username.clone();
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
                shown.set(true);
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
                <crate::components::field::TextField label="New password" name="password" kind="password"
                    autocomplete="new-password" value=password error shown
                    strength=crate::components::password::StrengthFor::new(Signal::derive(move || who.clone()), Signal::derive(String::new))/>
                <button type="button" on:click=generate
                    class=style::SECONDARY>"Generate new password"</button>
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
                        class=style::PRIMARY>"Set password"</button>
                    <A href=base attr:class=style::SECONDARY>"Cancel"</A>
                </div>
            </ActionForm>
        </div>
    }
}

/// "Delete bob.berg?", naming what goes with the account.
#[component]
pub(super) fn ConfirmDelete(
    action: ServerAction<DeleteUser>,
    username: String,
    certificates: u64,
) -> impl IntoView {
    let message = format!(
        "The account, its sessions and memberships are removed. This cannot be undone.{}",
        crate::model::certificates_lost(certificates)
    );
    view! {
        <ConfirmDialog title=format!("Delete {username}?") message cancel=user_href(&username)>
            <ActionForm action>
                <input type="hidden" name="username" value=username.clone()/>
                <button type="submit" disabled=move || action.pending().get() class=style::DANGER_CONFIRM>
                    {format!("Delete {username}")}
                </button>
            </ActionForm>
        </ConfirmDialog>
    }
}
