//! The users table's search box and filters: a plain GET form whose
//! fields are the address's query, so a search can be bookmarked.
use leptos::prelude::*;
use leptos_router::components::{Form, A};

use crate::api::users::directory_options;
use crate::components::style;
use crate::model::{UserQuery, UserStatus};

const INPUT: &str = crate::components::style::COMPACT_INPUT;

#[component]
pub(super) fn SearchAndFilters(query: UserQuery) -> impl IntoView {
    let options = Resource::new(|| (), |_| directory_options());
    let q = query.clone();
    let open = query.has_filters() && query.search.is_empty() || query.status.is_some();
    let status_options = UserStatus::ALL.map(|s| (s.as_str().to_string(), s.label().to_string()));
    view! {
        <Form method="GET" action="/users" attr:class="mt-4 space-y-3" attr:role="search">
            <input type="hidden" name="sort" value=q.sort.as_str()/>
            <input type="hidden" name="dir" value=if q.descending { "desc" } else { "asc" }/>
            <input type="hidden" name="per_page" value=q.per_page.to_string()/>
            <div class="flex flex-wrap items-end gap-2">
                <div class="flex-1 min-w-[16rem]">
                    <label for="user-search" class="block text-sm font-medium text-slate-700">"Search users"</label>
                    // The property too: after "Clear" the box shows the address's search.
                    <input id="user-search" name="q" type="search" value=q.search.clone() prop:value=q.search.clone()
                        placeholder="Username, name or email"
                        class=format!("{INPUT} mt-1 w-full")/>
                </div>
                <button type="submit" class=style::PRIMARY>
                    "Search"
                </button>
                <Show when=move || query.has_filters()>
                    <A href="/users" attr:class="px-2 py-1.5 text-sm text-indigo-700 underline">"Clear"</A>
                </Show>
            </div>
            <details open=open class="rounded-md border border-slate-200 bg-white px-3 py-2">
                <summary class="cursor-pointer text-sm font-medium text-slate-700">"Filters"</summary>
                <div class="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
                    <SelectFilter label="Status" name="status" current=q.status.map(|s| s.as_str().to_string())
                        options=status_options.to_vec()/>
                    <Suspense>
                        {
                            let role = q.role.clone();
                            let group = q.group.clone();
                            move || options.get().and_then(Result::ok).map(|o| view! {
                                <SelectFilter label="Role" name="role" current=role.clone() options=o.roles/>
                                <SelectFilter label="Group" name="group" current=group.clone() options=o.groups/>
                            })
                        }
                    </Suspense>
                    <SelectFilter label="2FA" name="2fa"
                        current=q.two_factor.map(|t| if t { "on".to_string() } else { "off".to_string() })
                        options=vec![("on".into(), "On".into()), ("off".into(), "Off".into())]/>
                    <SelectFilter label="Sign-in" name="login"
                        current=q.login.map(|l| if l == crate::model::user_query::LoginFilter::Never { "never".to_string() } else { "ever".to_string() })
                        options=vec![("never".into(), "Never logged in".into()), ("ever".into(), "Logged in".into())]/>
                    <div>
                        <label for="filter-idle" class="block text-sm text-slate-700">"Not logged in for (days)"</label>
                        <input id="filter-idle" name="idle" type="number" min="1" value=q.idle_days.map(|d| d.to_string())
                            class=format!("{INPUT} mt-1 w-full")/>
                    </div>
                    <SelectFilter label="Internal/External" name="origin" current=q.origin.map(|o| o.as_str().to_string())
                        options=vec![("internal".into(), "Internal".into()), ("external".into(), "External".into())]/>
                    <div>
                        <label for="filter-from" class="block text-sm text-slate-700">"Created from"</label>
                        <input id="filter-from" name="from" type="date" value=q.created_from.clone() class=format!("{INPUT} mt-1 w-full")/>
                    </div>
                    <div>
                        <label for="filter-to" class="block text-sm text-slate-700">"Created until"</label>
                        <input id="filter-to" name="to" type="date" value=q.created_to.clone() class=format!("{INPUT} mt-1 w-full")/>
                    </div>
                </div>
                <button type="submit" class="mt-3 rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
                    "Apply filters"
                </button>
            </details>
        </Form>
    }
}

#[component]
fn SelectFilter(
    label: &'static str,
    name: &'static str,
    current: Option<String>,
    options: Vec<(String, String)>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    view! {
        <div>
            <label for=id.clone() class="block text-sm text-slate-700">{label}</label>
            <select id=id name=name class=format!("{INPUT} mt-1 w-full")>
                <option value="" selected=current.is_none()>"Any"</option>
                {options.into_iter().map(|(value, text)| {
                    let selected = current.as_deref() == Some(value.as_str());
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
