use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::list::StatusBadge;
use crate::api::certificates::{IssueCertificate, RevokeCertificate};
use crate::api::groups::SetGroupMember;
use crate::api::invitations::SendInvitation;
use crate::api::passwords::SetUserPassword;
use crate::api::recovery::SendRecovery;
use crate::api::users::{directory_options, user_detail, DeleteUser, SetUserActive, UpdateUser};
use crate::auth_state::use_auth;
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::time::short_time;
use crate::error::AppError;
use crate::model::{FilterChoices, Permission, UserDetail};

const TABS: [(&str, &str); 5] = [
    ("info", "User info"),
    ("groups", "Groups"),
    ("certificates", "Certificates"),
    ("tokens", "Tokens"),
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
    let detail = Resource::new(
        move || {
            (
                username(),
                set_active.version().get(),
                update.version().get(),
                (membership.version().get(), invite.version().get()),
            )
        },
        |(name, _, _, _)| user_detail(name),
    );
    provide_context(invite);
    provide_context(membership);
    // A successful edit closes the form.
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = update.value().get() {
            navigate(&format!("/users/{}", username()), Default::default());
        }
    });
    provide_context(update);
    let action_error = move || {
        let from_action = set_active
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
            .or_else(|| membership.value().get().and_then(Result::err))
            .or_else(|| invite.value().get().and_then(Result::err))
            .or_else(|| recovery.value().get().and_then(Result::err))
            .or_else(|| issue.value().get().and_then(Result::err))
            .or_else(|| revoke.value().get().and_then(Result::err));
        from_action
            .map(|e| e.to_string())
            .or_else(|| query.read().get("error"))
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
    let notice = move || {
        invited_notice()
            .or_else(recovery_notice)
            .or_else(password_notice)
    };
    view! {
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(d) => view! { <Detail detail=d set_active delete/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
        {move || action_error().map(|message| view! { <div class="mt-4"><ErrorAlert message/></div> })}
        {move || issue.value().get().and_then(Result::ok).map(|issued| view! {
            <crate::components::certificates::PasswordOnce issued/>
        })}
        {move || notice().map(|message| view! {
            <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
                {message}
            </p>
        })}
    }
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
    let confirm_delete = move || query.read().get("confirm").as_deref() == Some("delete");
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
                    let (uname, d) = (username.clone(), d.clone());
                    move || (d.can_deactivate && can(Permission::UsersWrite)).then(|| view! {
                        <ActiveForm action=set_active username=uname.clone() active=false label="Deactivate"/>
                    })
                }
                {
                    let (uname, d) = (username.clone(), d.clone());
                    move || (d.can_activate && can(Permission::UsersWrite)).then(|| view! {
                        <ActiveForm action=set_active username=uname.clone() active=true label="Activate"/>
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
                        <A href=format!("{base}?password=1")
                            attr:class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">"Change password"</A>
                    })
                }
                {
                    let (base, d) = (base.clone(), d.clone());
                    move || (d.can_delete && can(Permission::UsersDelete)).then(|| view! {
                        <A href=format!("{base}?confirm=delete")
                            attr:class="rounded-md border border-red-300 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50">"Delete"</A>
                    })
                }
            </div>
        </div>
        {detail.guard_reason.clone().map(|r| view! { <p class="mt-2 text-sm text-slate-500" data-testid="guard">{r}</p> })}
        {detail.invited_at.clone().map(|at| view! {
            <p class="mt-2 text-sm text-slate-500">{format!("Invited {}; waiting for them to join.", short_time(&at))}</p>
        })}
        {
            let uname = username.clone();
            move || confirm_delete().then(|| view! { <ConfirmDelete action=delete username=uname.clone()/> })
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
                "tokens" => view! { <p class="text-sm text-slate-600">"No API tokens yet."</p> }.into_any(),
                "activity" => view! { <ActivityTab detail=detail.clone()/> }.into_any(),
                _ if query.read().get("edit").is_some() && can(Permission::UsersWrite) => {
                    view! { <EditForm detail=detail.clone()/> }.into_any()
                }
                _ => view! { <InfoTab detail=detail.clone() can_edit=can(Permission::UsersWrite)/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ActiveForm(
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
fn InviteForm(username: String, resend: bool) -> impl IntoView {
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
fn RecoveryForm(username: String) -> impl IntoView {
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
fn SetPasswordPanel(username: String) -> impl IntoView {
    let action = ServerAction::<SetUserPassword>::new();
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
fn ConfirmDelete(action: ServerAction<DeleteUser>, username: String) -> impl IntoView {
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

#[component]
fn InfoTab(detail: UserDetail, can_edit: bool) -> impl IntoView {
    let u = detail.user;
    let edit = format!("/users/{}?edit=1", u.username);
    let rows: Vec<(&str, String)> = vec![
        ("Username", format!("{} (cannot be changed)", u.username)),
        ("First name", u.first_name),
        ("Last name", u.last_name),
        ("Email", u.email),
        ("Phone", u.phone.unwrap_or_else(|| "—".into())),
        ("Role", u.role),
        (
            "Internal/External",
            if u.external { "External" } else { "Internal" }.into(),
        ),
        ("Status", u.status.label().into()),
        ("2FA", if u.two_factor { "On" } else { "Off" }.into()),
        ("Time added", short_time(&u.created_at)),
        (
            "Password changed",
            detail
                .password_changed_at
                .map(|t| short_time(&t))
                .unwrap_or_else(|| "Never".into()),
        ),
        (
            "Last login",
            u.last_login_at
                .map(|t| short_time(&t))
                .unwrap_or_else(|| "Never".into()),
        ),
    ];
    view! {
        <dl class="grid max-w-2xl grid-cols-[max-content_1fr] gap-x-8 gap-y-2 text-sm">
            {rows.into_iter().map(|(k, v)| view! {
                <dt class="text-slate-500">{k}</dt><dd>{v}</dd>
            }).collect_view()}
        </dl>
        {can_edit.then(|| view! {
            <A href=edit attr:class="mt-4 inline-block rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">"Edit"</A>
        })}
    }
}

/// The edit form: every field but the username (which stays, and says so).
#[component]
fn EditForm(detail: UserDetail) -> impl IntoView {
    let update = expect_context::<ServerAction<UpdateUser>>();
    let options = expect_context::<Choices>();
    let u = detail.user;
    let field_error = move |field: &'static str| {
        update.value().with(|v| match v {
            Some(Err(e)) => e.field_message(field),
            _ => None,
        })
    };
    let input = move |label: &'static str,
                      name: &'static str,
                      kind: &'static str,
                      value: String| {
        let id = format!("edit-{name}");
        view! {
            <div class="space-y-1">
                <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
                <input id=id name=name type=kind value=value required=name != "phone"
                    class="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"/>
                <p class="text-sm text-red-700">{move || field_error(name)}</p>
            </div>
        }
    };
    let role_name = u.role.clone();
    view! {
        <ActionForm action=update attr:class="max-w-2xl space-y-4">
            <input type="hidden" name="username" value=u.username.clone()/>
            <p class="text-sm">
                <span class="font-medium">"Username: "</span>{u.username.clone()}
                <span class="ml-2 text-slate-500">"Usernames cannot be changed."</span>
            </p>
            <div class="grid grid-cols-1 gap-4 sm:grid-cols-2">
                {input("First name", "first_name", "text", u.first_name.clone())}
                {input("Last name", "last_name", "text", u.last_name.clone())}
                {input("Email", "email", "email", u.email.clone())}
                {input("Phone (optional)", "phone", "tel", u.phone.clone().unwrap_or_default())}
                <div class="space-y-1">
                    <label for="edit-role" class="block text-sm font-medium text-slate-700">"Role"</label>
                    <Suspense>
                        {
                            let role_name = role_name.clone();
                            move || options.get().map(|o| view! {
                                <select id="edit-role" name="role" class="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm">
                                    {o.givable_roles().into_iter().map(|(id, name)| {
                                        let selected = name == role_name;
                                        view! { <option value=id selected=selected>{name}</option> }
                                    }).collect_view()}
                                </select>
                            })
                        }
                    </Suspense>
                </div>
                <fieldset>
                    <legend class="text-sm font-medium text-slate-700">"Internal/External"</legend>
                    <label class="mr-4 text-sm"><input type="radio" name="origin" value="internal" checked=!u.external/>" Internal"</label>
                    <label class="text-sm"><input type="radio" name="origin" value="external" checked=u.external/>" External"</label>
                </fieldset>
            </div>
            {move || update.value().get().and_then(Result::err).filter(|e| !matches!(e, crate::AppError::Validation(_)))
                .map(|e| view! { <ErrorAlert message=e.to_string()/> })}
            <div class="flex gap-2">
                <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500">"Save changes"</button>
                <A href=format!("/users/{}", u.username) attr:class="rounded-md border border-slate-300 px-4 py-2 text-sm">"Cancel"</A>
            </div>
        </ActionForm>
    }
}

/// Memberships, with add and remove for those who manage groups.
#[component]
fn GroupsTab(username: String, groups: Vec<String>, can_manage: bool) -> impl IntoView {
    let membership = expect_context::<ServerAction<SetGroupMember>>();
    let options = expect_context::<Choices>();
    let member_of = groups.clone();
    view! {
        {if groups.is_empty() {
            view! { <p class="text-sm text-slate-600">"Not a member of any group."</p> }.into_any()
        } else {
            view! { <ul class="space-y-1 text-sm" data-testid="memberships">
                {groups.iter().map(|g| {
                    let (name, username) = (g.clone(), username.clone());
                    view! {
                        <li class="flex items-center gap-3">
                            <span>{name.clone()}</span>
                            {can_manage.then(|| view! {
                                <Suspense>
                                    {
                                        let (name, username) = (name.clone(), username.clone());
                                        move || {
                                            let id = options.get().and_then(|o| o.groups.into_iter().find(|(_, n)| *n == name));
                                            id.map(|(id, _)| view! { <RemoveMembership username=username.clone() group_id=id group=name.clone()/> })
                                        }
                                    }
                                </Suspense>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul> }.into_any()
        }}
        {can_manage.then(|| view! {
            <Suspense>
                {
                    let (username, member_of) = (username.clone(), member_of.clone());
                    move || options.get().map(|o| {
                        let username = username.clone();
                        let choices: Vec<(String, String)> = o.groups.into_iter().filter(|(_, n)| !member_of.contains(n)).collect();
                        (!choices.is_empty()).then(|| view! {
                            <ActionForm action=membership attr:class="mt-4 flex items-end gap-2">
                                <input type="hidden" name="username" value=username/>
                                <input type="hidden" name="member" value="true"/>
                                <div>
                                    <label for="add-group" class="block text-sm text-slate-700">"Add to group"</label>
                                    // Type-ahead: the browser suggests matching group names as you type.
                                    <input id="add-group" name="group" list="group-choices" required autocomplete="off"
                                        placeholder="Start typing a group name"
                                        class="mt-1 w-64 rounded-md border border-slate-300 px-2 py-1.5 text-sm"/>
                                    <datalist id="group-choices">
                                        {choices.into_iter().map(|(_, name)| view! { <option value=name></option> }).collect_view()}
                                    </datalist>
                                </div>
                                <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">"Add"</button>
                            </ActionForm>
                        })
                    })
                }
            </Suspense>
        })}
    }
}

/// "Remove from X", then a confirmation naming the user and the group.
#[component]
fn RemoveMembership(username: String, group_id: String, group: String) -> impl IntoView {
    let membership = expect_context::<ServerAction<SetGroupMember>>();
    let query = use_query_map();
    let asking = {
        let group_id = group_id.clone();
        move || query.read().get("remove").as_deref() == Some(group_id.as_str())
    };
    let ask = format!("/users/{username}?tab=groups&remove={group_id}");
    let cancel = format!("/users/{username}?tab=groups");
    let question = format!("Remove {username} from {group}?");
    let label = format!("Remove from {group}");
    move || {
        let (group_id, username) = (group_id.clone(), username.clone());
        let (question, cancel) = (question.clone(), cancel.clone());
        let (ask, label) = (ask.clone(), label.clone());
        if asking() {
            view! {
                <ActionForm action=membership attr:class="inline-flex items-center gap-2">
                    <input type="hidden" name="group" value=group_id/>
                    <input type="hidden" name="username" value=username/>
                    <input type="hidden" name="member" value="false"/>
                    <span class="text-red-800">{question}</span>
                    <button type="submit" class="rounded-md bg-red-600 px-3 py-1 font-semibold text-white">"Remove"</button>
                    <A href=cancel attr:class="underline">"Cancel"</A>
                </ActionForm>
            }
            .into_any()
        } else {
            view! { <A href=ask attr:class="text-red-700 hover:underline">{label}</A> }.into_any()
        }
    }
}

#[component]
fn ActivityTab(detail: UserDetail) -> impl IntoView {
    if detail.activity.is_empty() {
        return view! { <p class="text-sm text-slate-600">"No activity recorded yet."</p> }
            .into_any();
    }
    view! {
        <ol class="space-y-2 text-sm" data-testid="activity">
            {detail.activity.into_iter().map(|e| view! {
                <li class="rounded-md border border-slate-200 bg-white px-3 py-2">
                    <span class="font-medium">{e.action}</span>
                    " by " {e.actor.unwrap_or_else(|| "Usher".into())}
                    " · " <time>{short_time(&e.at)}</time>
                    {(!e.success).then(|| view! { <span class="ml-2 text-red-700">"(failed)"</span> })}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}
