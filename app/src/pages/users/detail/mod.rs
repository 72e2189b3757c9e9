use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::certificates::{IssueCertificate, RevokeCertificate};
use crate::api::groups::SetGroupMember;
use crate::api::invitations::SendInvitation;
use crate::api::passwords::SetUserPassword;
use crate::api::recovery::SendRecovery;
use crate::api::users::{directory_options, user_detail, DeleteUser, SetUserActive, UpdateUser};
use crate::auth_state::use_auth;
use crate::components::action::{failure, successes};
use crate::components::alert::{use_toasts, ErrorAlert, LoadError};
use crate::components::status::StatusBadge;
use crate::components::style;
use crate::components::time::short_time;
use crate::error::AppError;
use crate::model::{FilterChoices, Permission, UserDetail};

mod actions;
mod activity_tab;
mod groups_tab;
mod info_tab;
use actions::*;
use activity_tab::*;
use groups_tab::*;
use info_tab::*;

const TABS: [(&str, &str); 4] = [
    ("info", "User info"),
    ("groups", "Groups"),
    ("certificates", "Certificates"),
    ("activity", "Activity"),
];

/// The roles and groups a form offers (None while no form needs them).
#[derive(Clone, Copy)]
struct Choices(Resource<Result<Option<FilterChoices>, AppError>>);

impl Choices {
    fn get(self) -> Option<FilterChoices> {
        self.0.get().and_then(Result::ok).flatten()
    }
}

/// `/users/{username}`: header with name, status and actions; tabs below.
#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let username = move || params.read().get("username").unwrap_or_default();
    let set_active = ServerAction::<SetUserActive>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let membership = ServerAction::<SetGroupMember>::new();
    // Made here so that a new password's time shows without a reload.
    let password = ServerAction::<SetUserPassword>::new();
    provide_context(password);
    let invite = ServerAction::<SendInvitation>::new();
    let recovery = ServerAction::<SendRecovery>::new();
    provide_context(recovery);
    let issue = ServerAction::<IssueCertificate>::new();
    let revoke = ServerAction::<RevokeCertificate>::new();
    provide_context(issue);
    provide_context(revoke);
    provide_context(super::certificates_tab::certificates_resource(
        username,
        move || query.read().get("tab").as_deref() == Some("certificates"),
        issue,
        revoke,
    ));
    // Roles and groups to choose from, for the edit form and the Groups tab:
    // made here rather than in them, as a resource made inside the page's
    // own loaded content does not hydrate.
    provide_context(Choices(Resource::new(
        move || {
            let q = query.read();
            q.get("tab").as_deref() == Some("groups") || q.get("edit").is_some()
        },
        |wanted| async move {
            if wanted {
                directory_options().await.map(Some)
            } else {
                Ok(None)
            }
        },
    )));
    // Reloaded after each change that worked; a refused one leaves the page
    // (and what was typed) as it was.
    let changed = (
        successes(set_active),
        successes(update),
        successes(membership),
        successes(invite),
        successes(password),
    );
    let detail = Resource::new(
        move || {
            (
                username(),
                changed.0.get(),
                changed.1.get(),
                (changed.2.get(), changed.3.get(), changed.4.get()),
            )
        },
        |(name, _, _, _)| user_detail(name),
    );
    provide_context(invite);
    provide_context(membership);
    let toasts = use_toasts();
    let navigate = leptos_router::hooks::use_navigate();
    // A successful edit closes the form; a (de)activation closes its
    // confirmation. Both say what they did.
    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if let Some(Ok(())) = update.value().get() {
                toasts.done("Changes saved.");
                navigate(&user_href(&username()), Default::default());
            }
        }
    });
    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if let Some(Ok(message)) = set_active.value().get() {
                toasts.done(message);
                navigate(&user_href(&username()), Default::default());
            }
        }
    });
    // A regenerated certificate closes its confirmation (the password shows
    // below the page).
    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if let Some(Ok(_)) = issue.value().get() {
                navigate(
                    &format!("{}?tab=certificates", user_href(&username())),
                    Default::default(),
                );
            }
        }
    });
    // Groups: the tab acknowledges the change, with Undo for a removal (the
    // address a plain form comes back to).
    Effect::new(move |_| {
        if let Some(Ok(change)) = membership.value().get() {
            navigate(
                &format!("{}?tab=groups&{}", user_href(&username()), change.query()),
                Default::default(),
            );
        }
    });
    provide_context(update);
    let action_error = move || {
        let from_action = failure(set_active)
            .or_else(|| failure(delete))
            .or_else(|| failure(invite))
            .or_else(|| failure(recovery))
            .or_else(|| failure(issue))
            .or_else(|| failure(revoke));
        // The Groups tab shows its own errors, at the field.
        let tab_error = query.read().get("tab").as_deref() == Some("groups");
        from_action
            .map(|e| e.summary())
            .or_else(|| query.read().get("error").filter(|_| !tab_error))
    };
    // What a mail button did: from the action, or (without JavaScript) the URL.
    let invited_notice = move || match invite.value().get() {
        Some(Ok(address)) => Some(format!("Invitation sent to {address}.")),
        Some(Err(_)) => None,
        None => query
            .read()
            .get("invited")
            .map(|a| format!("Invitation sent to {a}.")),
    };
    let recovery_notice = move || match recovery.value().get() {
        Some(Ok(address)) => Some(format!("Password recovery email sent to {address}.")),
        Some(Err(_)) => None,
        None => query
            .read()
            .get("recovery")
            .map(|a| format!("Password recovery email sent to {a}.")),
    };
    let password_notice = move || {
        query
            .read()
            .get("password_set")
            .map(|_| "Password changed; the user was signed out everywhere.".to_string())
    };
    let done_notice = move || {
        query
            .read()
            .get("done")
            .and_then(|key| crate::model::done_message(&key))
            .map(str::to_string)
    };
    let notice = move || {
        invited_notice()
            .or_else(recovery_notice)
            .or_else(password_notice)
            .or_else(done_notice)
    };
    view! {
        {move || notice().map(|message| view! {
            <p role="status" data-testid="notice" class="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
                {message}
            </p>
        })}
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(d) => view! { <Detail detail=d set_active delete/> }.into_any(),
                Err(AppError::NotFound) => view! { <NoSuchUser/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
        {move || action_error().map(|message| view! { <div class="mt-4"><ErrorAlert message/></div> })}
        {move || issue.value().get().and_then(Result::ok).map(|issued| view! {
            <crate::components::certificates::PasswordOnce issued/>
        })}
    }
}

/// A user's page address.
fn user_href(username: &str) -> String {
    format!("/users/{}", crate::routes::encode_query_value(username))
}

#[component]
fn Detail(
    detail: UserDetail,
    set_active: ServerAction<SetUserActive>,
    delete: ServerAction<DeleteUser>,
) -> impl IntoView {
    let query = use_query_map();
    let viewer = use_auth().user;
    // The viewer's permission, on a user within their reach (an Admin's
    // account is out of a help desk's reach; `guard_reason` says why).
    let manage = detail.can_manage;
    let can = move |p: Permission| manage && viewer.get().flatten().is_some_and(|u| u.can(p));
    let user = detail.user.clone();
    let name = user.full_name();
    let base = format!("/users/{}", user.username);
    let tab = move || query.read().get("tab").unwrap_or_else(|| "info".into());
    let confirm = move || match query.read().get("confirm").as_deref() {
        Some("delete") => Some("delete"),
        Some("deactivate") => Some("deactivate"),
        _ => None,
    };
    let username = user.username.clone();
    let d = detail.clone();
    view! {
        <leptos_meta::Title text=user.username.clone()/>
        <div class="flex flex-wrap items-start justify-between gap-4">
            <div>
                <p class="text-sm"><A href="/users" attr:class="text-indigo-700 hover:underline">"← Users"</A></p>
                <h1 class="mt-1 text-2xl font-semibold">{if name.is_empty() { user.username.clone() } else { name }}</h1>
                <p class="mt-1 flex items-center gap-2 text-sm text-slate-600">
                    <span>{user.username.clone()}</span><StatusBadge status=user.status signed_in=user.last_login_at.is_some()/>
                </p>
            </div>
            <div class="flex flex-wrap gap-2">
                {
                    let (base, d) = (base.clone(), d.clone());
                    move || (d.can_deactivate && can(Permission::UsersWrite)).then(|| view! {
                        <A href=format!("{base}?confirm=deactivate") attr:class=style::DANGER>"Deactivate"</A>
                    })
                }
                {
                    let (uname, d) = (username.clone(), d.clone());
                    move || (d.can_activate && can(Permission::UsersWrite)).then(|| view! {
                        <ActiveForm action=set_active username=uname.clone() active=true
                            label="Activate".into() class=style::SECONDARY/>
                    })
                }
                {
                    let (uname, d) = (username.clone(), d.clone());
                    let invited = d.user.status == crate::model::UserStatus::Invited;
                    move || (invited && can(Permission::UsersWrite)).then(|| view! {
                        <InviteForm username=uname.clone() resend=d.invited_at.is_some()/>
                    })
                }
                {
                    let uname = username.clone();
                    let active = d.user.status == crate::model::UserStatus::Active;
                    move || (active && can(Permission::UsersWrite)).then(|| view! {
                        <RecoveryForm username=uname.clone()/>
                    })
                }
                {
                    let (base, d) = (base.clone(), d.clone());
                    let joined = matches!(
                        d.user.status,
                        crate::model::UserStatus::Active | crate::model::UserStatus::Inactive
                    );
                    let me = d.user.username.clone();
                    let is_self = move || viewer.get().flatten().is_some_and(|v| v.username == me);
                    move || (joined && !is_self() && can(Permission::UsersWrite)).then(|| view! {
                        <A href=format!("{base}?password=1") attr:class=style::SECONDARY>"Change password"</A>
                    })
                }
                {
                    let (base, d) = (base.clone(), d.clone());
                    move || (d.can_delete && can(Permission::UsersDelete)).then(|| view! {
                        <A href=format!("{base}?confirm=delete") attr:class=style::DANGER>"Delete"</A>
                    })
                }
            </div>
        </div>
        {detail.guard_reason.clone().map(|r| view! { <p class="mt-2 text-sm text-slate-500" data-testid="guard">{r}</p> })}
        {detail.invited_at.clone().map(|at| view! {
            <p class="mt-2 text-sm text-slate-500">{format!("Invited {}; waiting for them to join.", short_time(&at))}</p>
        })}
        {
            let (uname, d) = (username.clone(), d.clone());
            move || (confirm() == Some("delete") && d.can_delete && can(Permission::UsersDelete)).then(|| view! {
                <ConfirmDelete action=delete username=uname.clone() certificates=d.working_certificates/>
            })
        }
        {
            let (uname, d) = (username.clone(), d.clone());
            move || (confirm() == Some("deactivate") && d.can_deactivate && can(Permission::UsersWrite)).then(|| view! {
                <ConfirmDeactivate action=set_active username=uname.clone() certificates=d.working_certificates/>
            })
        }
        {
            let uname = username.clone();
            move || (query.read().get("password").is_some() && can(Permission::UsersWrite))
                .then(|| view! { <SetPasswordPanel username=uname.clone()/> })
        }
        <nav aria-label="User sections" class="mt-6 flex gap-1 border-b border-slate-200">
            {TABS.into_iter().map(|(key, label)| {
                let href = format!("/users/{}?tab={key}", user.username);
                view! {
                    <A href=href attr:class=move || if tab() == key {
                        "border-b-2 border-indigo-600 px-3 py-2 text-sm font-medium text-indigo-700"
                    } else {
                        "px-3 py-2 text-sm text-slate-600 hover:text-slate-900"
                    }>{label}</A>
                }
            }).collect_view()}
        </nav>
        <section class="mt-4">
            {move || match tab().as_str() {
                "groups" => view! {
                    <GroupsTab username=detail.user.username.clone() groups=detail.user.groups.clone()
                        can_manage=can(Permission::GroupsManage)/>
                }.into_any(),
                "certificates" => view! {
                    <super::certificates_tab::CertificatesTab username=detail.user.username.clone()
                        can_manage=can(Permission::CertificatesManage)
                        can_hold=matches!(detail.user.status, crate::model::UserStatus::Active | crate::model::UserStatus::CertificateSent)/>
                }.into_any(),
                "activity" => view! { <ActivityTab detail=detail.clone()/> }.into_any(),
                _ if query.read().get("edit").is_some() && can(Permission::UsersWrite) => {
                    view! { <EditForm detail=detail.clone()/> }.into_any()
                }
                _ => view! { <InfoTab detail=detail.clone() can_edit=can(Permission::UsersWrite)/> }.into_any(),
            }}
        </section>
    }
}

/// A user's address that names nobody (deleted, or mistyped): say so and
/// lead back to the table.
#[component]
fn NoSuchUser() -> impl IntoView {
    // Read once, not tracked: this view may be re-run while the route is
    // being left, when the route's parameters are gone.
    let username = use_params_map()
        .read_untracked()
        .get("username")
        .unwrap_or_default();
    view! {
        <leptos_meta::Title text="No such user"/>
        <h1 class="text-2xl font-semibold">"No such user"</h1>
        <p class="mt-2 text-slate-600">{format!("There is no user named {username}. They may have been deleted.")}</p>
        <A href="/users" attr:class="mt-4 inline-block text-indigo-700 underline">"Back to users"</A>
    }
}
