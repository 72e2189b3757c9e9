use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::users::list_users;
use crate::components::alert::LoadError;
use crate::components::pagination::Pagination;
use crate::model::{Page, PageRequest, UserSummary};

/// `/users`: the directory, paged on the server; the page lives in the URL.
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let request = Memo::new(move |_| {
        query.with(|q| {
            PageRequest::new(
                q.get("page").and_then(|v| v.parse().ok()),
                q.get("per_page").and_then(|v| v.parse().ok()),
            )
        })
    });
    let users = Resource::new(move || request.get(), |r| list_users(r.page, r.per_page));
    view! {
        <leptos_meta::Title text="Users"/>
        <h1 class="text-2xl font-semibold">"Users"</h1>
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading users…"</p> }>
            {move || users.get().map(|result| match result {
                Ok(page) => view! { <UsersTable page/> }.into_any(),
                Err(error) => view! { <div class="mt-4"><LoadError error/></div> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn UsersTable(page: Page<UserSummary>) -> impl IntoView {
    let showing = page.showing();
    let page_count = page.page_count();
    let request = page.request;
    if page.items.is_empty() && page.total == 0 {
        return view! { <p class="mt-6 text-slate-600">"No users yet."</p> }.into_any();
    }
    view! {
        <div class="mt-4 overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table class="min-w-full divide-y divide-slate-200 text-sm">
                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Username"</th>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="px-4 py-3">"Email"</th>
                        <th scope="col" class="px-4 py-3">"Status"</th>
                        <th scope="col" class="px-4 py-3">"Last login"</th>
                        <th scope="col" class="px-4 py-3">"Created"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {page.items.into_iter().map(|user| view! { <UserRow user/> }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pagination base="/users" request page_count showing/>
    }
    .into_any()
}

#[component]
fn UserRow(user: UserSummary) -> impl IntoView {
    let name = user.full_name();
    view! {
        <tr class="hover:bg-slate-50">
            <td class="px-4 py-2 font-medium">{user.username}</td>
            <td class="px-4 py-2">{name}</td>
            <td class="px-4 py-2">{user.email}</td>
            <td class="px-4 py-2"><StatusBadge label=user.status.label()/></td>
            <td class="px-4 py-2 whitespace-nowrap">
                {user.last_login_at.map(|t| short_time(&t)).unwrap_or_else(|| "Never".into())}
            </td>
            <td class="px-4 py-2 whitespace-nowrap">{short_time(&user.created_at)}</td>
        </tr>
    }
}

#[component]
fn StatusBadge(label: &'static str) -> impl IntoView {
    let colour = match label {
        "Active" => "bg-green-100 text-green-800",
        "Inactive" | "Rejected" => "bg-slate-200 text-slate-700",
        _ => "bg-amber-100 text-amber-800",
    };
    view! { <span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {colour}")>{label}</span> }
}

/// "2026-11-27T23:50:31Z" → "2026-11-27 23:50" (UTC).
fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}
