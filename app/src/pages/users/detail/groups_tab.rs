//! The Groups tab: memberships, add by name, remove after confirmation.
use super::*;

/// Memberships, with add and remove for those who manage groups.
#[component]
pub(super) fn GroupsTab(username: String, groups: Vec<String>, can_manage: bool) -> impl IntoView {
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
pub(super) fn RemoveMembership(username: String, group_id: String, group: String) -> impl IntoView {
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
