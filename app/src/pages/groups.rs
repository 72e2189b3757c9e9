use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::groups::{list_groups, CreateGroup, DeleteGroup, UpdateGroup};
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::confirm::ConfirmDialog;
use crate::components::style;
use crate::components::table::DataTable;
use crate::components::time::short_time;
use crate::model::GroupView;

/// `/groups`: groups with their member counts; members are listed (and
/// paged) by the users table filtered to the group.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let create = ServerAction::<CreateGroup>::new();
    let new_form = NodeRef::<leptos::html::Form>::new();
    crate::components::alert::reset_after(
        new_form,
        move || matches!(create.value().get(), Some(Ok(()))),
        "Group created.",
    );
    let delete = ServerAction::<DeleteGroup>::new();
    let update = ServerAction::<UpdateGroup>::new();
    let query = use_query_map();
    let groups = Resource::new(
        move || {
            (
                create.version().get(),
                delete.version().get(),
                update.version().get(),
            )
        },
        |_| list_groups(),
    );
    let editing = move || query.read().get("edit");
    let confirm = move || query.read().get("confirm");
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
        <leptos_meta::Title text="Groups"/>
        <h1 class="text-2xl font-semibold">"Groups"</h1>
        {move || error().map(|message| view! { <div class="mt-4"><ErrorAlert message/></div> })}
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading groups…"</p> }>
            {move || groups.get().map(|result| match result {
                Ok(list) => {
                    let edit = editing().and_then(|id| list.iter().find(|g| g.id == id).cloned());
                    view! {
                        <GroupsTable groups=list delete confirm=confirm()/>
                        {edit.map(|group| view! { <EditGroup group update/> })}
                    }.into_any()
                }
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
        <h2 class="mt-8 text-lg font-semibold">"New group"</h2>
        <ActionForm action=create node_ref=new_form attr:class="mt-3 flex max-w-2xl flex-wrap items-end gap-3">
            <div>
                <label for="group-name" class="block text-sm font-medium text-slate-700">"Group name"</label>
                <input id="group-name" name="name" required class="mt-1 rounded-md border border-slate-300 px-3 py-2 text-sm"/>
            </div>
            <div class="flex-1">
                <label for="group-description" class="block text-sm font-medium text-slate-700">"Description"</label>
                <input id="group-description" name="description" class=style::INPUT/>
            </div>
            <button type="submit" class=style::PRIMARY>"Create group"</button>
        </ActionForm>
    }
}

/// `/groups?edit={id}`: rename a group or change its description.
#[component]
fn EditGroup(group: GroupView, update: ServerAction<UpdateGroup>) -> impl IntoView {
    view! {
        <section class="mt-6 max-w-2xl rounded-lg border border-indigo-200 bg-white p-4" aria-labelledby="edit-group-title">
            <h2 id="edit-group-title" class="text-lg font-semibold">{format!("Edit {}", group.name)}</h2>
            <ActionForm action=update attr:class="mt-3 flex flex-wrap items-end gap-3">
                <input type="hidden" name="id" value=group.id.clone()/>
                <div>
                    <label for="edit-group-name" class="block text-sm font-medium text-slate-700">"Name"</label>
                    <input id="edit-group-name" name="name" required value=group.name.clone() class="mt-1 rounded-md border border-slate-300 px-3 py-2 text-sm"/>
                </div>
                <div class="flex-1">
                    <label for="edit-group-description" class="block text-sm font-medium text-slate-700">"About this group"</label>
                    <input id="edit-group-description" name="description" value=group.description.clone() class=style::INPUT/>
                </div>
                <button type="submit" class=style::PRIMARY>"Save group"</button>
                <A href="/groups" attr:class="text-sm underline">"Cancel"</A>
            </ActionForm>
        </section>
    }
}

#[component]
fn GroupsTable(
    groups: Vec<GroupView>,
    delete: ServerAction<DeleteGroup>,
    confirm: Option<String>,
) -> impl IntoView {
    if groups.is_empty() {
        return view! { <p class="mt-4 text-slate-600">"No groups yet."</p> }.into_any();
    }
    let asked = groups
        .iter()
        .find(|g| confirm.as_deref() == Some(g.id.as_str()))
        .cloned();
    let dialog = asked.map(|g| {
        let message = match g.members {
            0 => "It has no members. This cannot be undone.".to_string(),
            1 => "Its 1 member loses this membership (the account stays). This cannot be undone.".to_string(),
            n => format!("Its {n} members lose this membership (their accounts stay). This cannot be undone."),
        };
        view! {
            <ConfirmDialog title=format!("Delete the group {}?", g.name) message cancel="/groups">
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=g.id.clone()/>
                    <button type="submit" class=style::DANGER_CONFIRM>{format!("Delete {}", g.name)}</button>
                </ActionForm>
            </ConfirmDialog>
        }
    });
    view! {
        {dialog}
        <DataTable columns=vec!["Group name", "# of users", "Created by", "Created", ""] label="Groups">
                    {groups.into_iter().map(|g| {
                        view! {
                            <tr>
                                <td class="px-4 py-2">
                                    <p class="font-medium">{g.name.clone()}</p>
                                    <p class="text-slate-500">{g.description.clone()}</p>
                                </td>
                                <td class="px-4 py-2">
                                    <A href=format!("/users?group={}", g.id) attr:class="text-indigo-700 hover:underline">{g.members}</A>
                                </td>
                                <td class="px-4 py-2">{g.created_by.clone().unwrap_or_else(|| "—".into())}</td>
                                <td class="px-4 py-2 whitespace-nowrap">{short_time(&g.created_at)}</td>
                                <td class="px-4 py-2 text-right whitespace-nowrap">
                                    <A href=format!("/groups?edit={}", g.id) attr:class="mr-3 text-sm text-indigo-700 hover:underline">{format!("Edit {}", g.name)}</A>
                                    <A href=format!("/groups?confirm={}", g.id) attr:class="text-sm text-red-700 hover:underline">"Delete"</A>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
        </DataTable>
    }
    .into_any()
}
