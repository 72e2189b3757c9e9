use leptos::prelude::*;

use super::style;
use crate::model::FilterChoices;

/// "Role" (General user preselected) and "Groups" checkboxes for new
/// accounts: Invite users, and approving an access request.
#[component]
pub fn RoleAndGroups(options: FilterChoices, #[prop(into)] id: String) -> impl IntoView {
    let general = options
        .roles
        .iter()
        .find(|(_, n)| n == "General user")
        .map(|(id, _)| id.clone());
    let select_id = format!("{id}-role");
    view! {
        <div class="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <div>
                <label for=select_id.clone() class="block text-sm font-medium text-slate-700">"Role"</label>
                <select id=select_id name="role" class=style::INPUT>
                    {options.givable_roles().into_iter().map(|(id, name)| {
                        let selected = Some(&id) == general.as_ref();
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <fieldset>
                <legend class="text-sm font-medium text-slate-700">"Groups"</legend>
                <div class="mt-2 flex flex-wrap gap-x-6 gap-y-2">
                    {options.groups.into_iter().map(|(id, name)| view! {
                        <label class="flex items-center gap-2 text-sm">
                            <input type="checkbox" name="groups[]" value=id/>{name}
                        </label>
                    }).collect_view()}
                </div>
            </fieldset>
        </div>
    }
}
