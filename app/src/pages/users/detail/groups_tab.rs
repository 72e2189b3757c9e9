//! The Groups tab: memberships, add by name, remove after confirmation,
//! and the acknowledgement of a removal with Undo.
use super::*;

/// Memberships, with add and remove for those who manage groups.
#[component]
pub(super) fn GroupsTab(username: String, groups: Vec<String>, can_manage: bool) -> impl IntoView {
    let membership = expect_context::<ServerAction<SetGroupMember>>();
    let options = expect_context::<Choices>();
    let member_of = groups.clone();
    // A refusal that is not about the typed name (the ceiling rule, say).
    let refusal = move || {
        failure(membership)
            .filter(|e| e.field_message("group").is_none())
            .map(|e| e.summary())
    };
    view! {
        <div>
        {can_manage.then(|| view! { <Acknowledged username=username.clone()/> })}
        {move || refusal().map(|message| view! { <div class="mb-4"><ErrorAlert message/></div> })}
        {if groups.is_empty() {
            view! { <p class="text-sm text-slate-600">"Not a member of any group."</p> }.into_any()
        } else {
            view! { <ul class="space-y-1 text-sm" data-testid="memberships">
                {groups.iter().map(|g| {
                    let (name, username) = (g.clone(), username.clone());
                    view! {
                        <li class="flex min-h-11 sm:min-h-9 items-center gap-3">
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
                        let choices: Vec<(String, String)> = o.groups.into_iter().filter(|(_, n)| !member_of.contains(n)).collect();
                        (!choices.is_empty()).then(|| view! { <AddToGroup username=username.clone() choices/> })
                    })
                }
            </Suspense>
        })}
        </div>
    }
}

/// "Add to group": a group name with the browser's type-ahead; a name that
/// names no group is said at the field, and the typed text stays.
#[component]
fn AddToGroup(username: String, choices: Vec<(String, String)>) -> impl IntoView {
    let membership = expect_context::<ServerAction<SetGroupMember>>();
    let query = use_query_map();
    let error = move || {
        failure(membership)
            .and_then(|e| e.field_message("group"))
            .or_else(|| query.read().get("error"))
    };
    view! {
        <ActionForm action=membership attr:class="mt-4 flex flex-wrap items-start gap-2">
            <input type="hidden" name="username" value=username/>
            <input type="hidden" name="member" value="true"/>
            <div>
                <label for="add-group" class="block text-sm text-slate-700">"Add to group"</label>
                // Type-ahead: the browser suggests matching group names as you type.
                <input id="add-group" name="group" list="group-choices" required autocomplete="off"
                    placeholder="Start typing a group name"
                    aria-invalid=move || error().is_some().to_string()
                    aria-describedby=move || error().map(|_| "add-group-error")
                    class=format!("{} w-64", style::INPUT)/>
                <datalist id="group-choices">
                    {choices.into_iter().map(|(_, name)| view! { <option value=name></option> }).collect_view()}
                </datalist>
                <p id="add-group-error" class="mt-1 max-w-sm text-sm text-red-700">{error}</p>
            </div>
            <button type="submit" disabled=move || membership.pending().get()
                class=format!("{} mt-6", style::SECONDARY)>"Add"</button>
        </ActionForm>
    }
}

/// After "Add" or "Remove": which group, with Undo for a removal (adds the
/// membership back).
#[component]
fn Acknowledged(username: String) -> impl IntoView {
    let membership = expect_context::<ServerAction<SetGroupMember>>();
    let options = expect_context::<Choices>();
    let query = use_query_map();
    move || {
        let username = username.clone();
        let (id, removed) = {
            let q = query.read();
            match (q.get("removed"), q.get("added")) {
                (Some(id), _) => (id, true),
                (None, Some(id)) => (id, false),
                _ => return None,
            }
        };
        let name = options
            .get()
            .and_then(|o| o.groups.into_iter().find(|(gid, _)| *gid == id))
            .map(|(_, name)| name)?;
        let text = if removed {
            format!("{username} was removed from {name}.")
        } else {
            format!("{username} was added to {name}.")
        };
        Some(view! {
            <div role="status" data-testid="acknowledged" class="mb-4 flex flex-wrap items-center gap-3 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-900">
                <span>{text}</span>
                {removed.then(|| view! {
                    <ActionForm action=membership>
                        <input type="hidden" name="group" value=id.clone()/>
                        <input type="hidden" name="username" value=username.clone()/>
                        <input type="hidden" name="member" value="true"/>
                        <button type="submit" class=style::SECONDARY>"Undo"</button>
                    </ActionForm>
                })}
            </div>
        })
    }
}

/// "Remove from X", then a confirmation naming the user and the group.
#[component]
pub(super) fn RemoveMembership(username: String, group_id: String, group: String) -> impl IntoView {
    let membership = expect_context::<ServerAction<SetGroupMember>>();
    let query = use_query_map();
    let asking = {
        let group_id = group_id.clone();
        move || query.read().get("remove").as_deref() == Some(group_id.as_str())
    };
    let ask = format!("{}?tab=groups&remove={group_id}", user_href(&username));
    let cancel = format!("{}?tab=groups", user_href(&username));
    let question = format!("Remove {username} from {group}?");
    let label = format!("Remove from {group}");
    move || {
        let (group_id, username) = (group_id.clone(), username.clone());
        let (question, cancel) = (question.clone(), cancel.clone());
        let aria = question.clone();
        let (ask, label) = (ask.clone(), label.clone());
        if asking() {
            view! {
                <ActionForm action=membership attr:class="inline-flex flex-wrap items-center gap-2" attr:role="alertdialog" attr:aria-label=aria>
                    <span class="text-red-800">{question}</span>
                    <input type="hidden" name="group" value=group_id/>
                    <input type="hidden" name="username" value=username/>
                    <input type="hidden" name="member" value="false"/>
                    <button type="submit" class=style::DANGER_CONFIRM>"Remove"</button>
                    <A href=cancel attr:class=style::SECONDARY>"Cancel"</A>
                </ActionForm>
            }
            .into_any()
        } else {
            view! { <A href=ask attr:class="text-red-700 hover:underline">{label}</A> }.into_any()
        }
    }
}
