use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::roles::{list_roles, CreateRole, DeleteRole, UpdateRole};
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::confirm::ConfirmDialog;
use crate::components::style;
use crate::components::table::DataTable;
use crate::model::{Permission, RoleView};

/// `/roles`: the built-in roles, custom roles and their permissions.
#[component]
pub fn RolesPage() -> impl IntoView {
    let create = ServerAction::<CreateRole>::new();
    let new_form = NodeRef::<leptos::html::Form>::new();
    crate::components::alert::reset_after(
        new_form,
        move || matches!(create.value().get(), Some(Ok(()))),
        "Role created.",
    );
    let delete = ServerAction::<DeleteRole>::new();
    let update = ServerAction::<UpdateRole>::new();
    let query = use_query_map();
    let roles = Resource::new(
        move || {
            (
                create.version().get(),
                delete.version().get(),
                update.version().get(),
            )
        },
        |_| list_roles(),
    );
    let asked = move |key: &str| query.read().get(key);
    let error = move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
            .or_else(|| update.value().get().and_then(Result::err))
            .map(|e| e.summary())
            .or_else(|| query.read().get("error"))
    };
    view! {
        <leptos_meta::Title text="Roles"/>
        <h1 class="text-2xl font-semibold">"Roles"</h1>
        <p class="mt-1 text-sm text-slate-600">"Each user has one role. Admin can do everything; General user only signs in to their own account page."</p>
        {move || error().map(|message| view! { <div class="mt-4"><ErrorAlert message/></div> })}
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading roles…"</p> }>
            {move || roles.get().map(|result| match result {
                Ok(list) => {
                    let editing = asked("edit").and_then(|id| list.iter().find(|r| r.id == id && !r.builtin).cloned());
                    view! {
                        <RolesTable roles=list delete confirm=asked("confirm")/>
                        {editing.map(|role| view! { <EditRole role update/> })}
                    }.into_any()
                }
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
        <h2 class="mt-8 text-lg font-semibold">"New role"</h2>
        <ActionForm action=create node_ref=new_form attr:class="mt-3 max-w-2xl space-y-4">
            <div class="grid grid-cols-1 gap-4 sm:grid-cols-2">
                <div>
                    <label for="role-name" class="block text-sm font-medium text-slate-700">"Role name"</label>
                    <input id="role-name" name="name" required class=style::INPUT/>
                </div>
                <div>
                    <label for="role-description" class="block text-sm font-medium text-slate-700">"Description"</label>
                    <input id="role-description" name="description" class=style::INPUT/>
                </div>
            </div>
            <PermissionBoxes checked=Vec::new()/>
            <button type="submit" class=style::PRIMARY>"Create role"</button>
        </ActionForm>
    }
}

/// The permission checkboxes of the new and edit forms. A permission that
/// needs another says so, and ticking it ticks that one too (the server
/// adds it anyway: `with_needed`).
#[component]
fn PermissionBoxes(checked: Vec<Permission>) -> impl IntoView {
    let see_users = NodeRef::<leptos::html::Input>::new();
    view! {
        <fieldset>
            <legend class="text-sm font-medium text-slate-700">"Permissions"</legend>
            <div class="mt-2 grid grid-cols-1 gap-2 sm:grid-cols-2">
                {Permission::ALL.into_iter().map(|p| {
                    let needs = p.needs();
                    let tick_needed = move |ev: leptos::ev::Event| {
                        if event_target_checked(&ev) && needs == Some(Permission::UsersRead) {
                            if let Some(input) = see_users.get_untracked() {
                                input.set_checked(true);
                            }
                        }
                    };
                    let input = if p == Permission::UsersRead {
                        view! { <input type="checkbox" name="permissions[]" value=p.as_str() checked=checked.contains(&p) node_ref=see_users class="h-4 w-4"/> }.into_any()
                    } else {
                        view! { <input type="checkbox" name="permissions[]" value=p.as_str() checked=checked.contains(&p) on:change=tick_needed class="h-4 w-4"/> }.into_any()
                    };
                    view! {
                        <div class="flex min-h-11 flex-wrap items-center gap-x-2 text-sm sm:min-h-0">
                            <label class="flex items-center gap-2">{input}{p.label()}</label>
                            {needs.map(|n| view! { <span class="text-xs text-slate-500">{format!("(includes {})", n.label())}</span> })}
                        </div>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}

/// `/roles?edit={id}`: a custom role's name, description and permissions.
#[component]
fn EditRole(role: RoleView, update: ServerAction<UpdateRole>) -> impl IntoView {
    view! {
        <section class="mt-6 max-w-2xl rounded-lg border border-indigo-200 bg-white p-4" aria-labelledby="edit-role-title">
            <h2 id="edit-role-title" class="text-lg font-semibold">{format!("Edit {}", role.name)}</h2>
            <ActionForm action=update attr:class="mt-3 space-y-4">
                <input type="hidden" name="id" value=role.id.clone()/>
                <div class="grid grid-cols-1 gap-4 sm:grid-cols-2">
                    <div>
                        <label for="edit-role-name" class="block text-sm font-medium text-slate-700">"Name"</label>
                        <input id="edit-role-name" name="name" required value=role.name.clone() class=style::INPUT/>
                    </div>
                    <div>
                        <label for="edit-role-description" class="block text-sm font-medium text-slate-700">"About this role"</label>
                        <input id="edit-role-description" name="description" value=role.description.clone() class=style::INPUT/>
                    </div>
                </div>
                <PermissionBoxes checked=role.permissions.clone()/>
                <div class="flex items-center gap-3">
                    <button type="submit" class=style::PRIMARY>"Save role"</button>
                    <A href="/roles" attr:class="text-sm underline">"Cancel"</A>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn RolesTable(
    roles: Vec<RoleView>,
    delete: ServerAction<DeleteRole>,
    confirm: Option<String>,
) -> impl IntoView {
    let asked = roles
        .iter()
        .find(|r| confirm.as_deref() == Some(r.id.as_str()) && !r.builtin && r.users == 0)
        .cloned();
    let dialog = asked.map(|r| view! {
        <ConfirmDialog title=format!("Delete the role {}?", r.name)
            message="Nobody holds it. This cannot be undone." cancel="/roles">
            <ActionForm action=delete>
                <input type="hidden" name="id" value=r.id.clone()/>
                <button type="submit" class=style::DANGER_CONFIRM>{format!("Delete {}", r.name)}</button>
            </ActionForm>
        </ConfirmDialog>
    });
    view! {
        {dialog}
        <DataTable columns=vec!["Role", "Permissions", "Users", ""] label="Roles">
                    {roles.into_iter().map(|r| {
                        let perms = if r.permissions.len() == Permission::ALL.len() {
                            "Everything".to_string()
                        } else if r.permissions.is_empty() {
                            "Own account only".to_string()
                        } else {
                            r.permissions.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")
                        };
                        let deletable = !r.builtin && r.users == 0;
                        view! {
                            <tr>
                                <td class="px-4 py-2">
                                    <p class="font-medium">{r.name.clone()}{r.builtin.then_some(" (built in)")}</p>
                                    <p class="text-slate-500">{r.description.clone()}</p>
                                </td>
                                <td class="px-4 py-2">{perms}</td>
                                <td class="px-4 py-2">{r.users}</td>
                                <td class="px-4 py-2 text-right whitespace-nowrap">
                                    {(!r.builtin).then(|| view! {
                                        <A href=format!("/roles?edit={}", r.id) attr:class="mr-3 text-sm text-indigo-700 hover:underline">{format!("Edit {}", r.name)}</A>
                                    })}
                                    {deletable.then(|| view! {
                                        <A href=format!("/roles?confirm={}", r.id) attr:class="text-sm text-red-700 hover:underline">"Delete"</A>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
        </DataTable>
    }
}
