use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_location;

use crate::api::audit::list_audit;
use crate::components::alert::LoadError;
use crate::components::table::DataTable;
use crate::components::time::short_time;
use crate::model::{AuditPage, AuditQuery};

/// `/audit`: every change and sign-in, newest first, with filters in the URL.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let location = use_location();
    let search = Memo::new(move |_| location.search.get());
    let entries = Resource::new(move || search.get(), list_audit);
    view! {
        <leptos_meta::Title text="Audit log"/>
        <h1 class="text-2xl font-semibold">"Audit log"</h1>
        {move || view! { <Filters query=AuditQuery::parse(&search.get())/> }}
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || entries.get().map(|result| match result {
                Ok(page) => view! { <Entries page query=AuditQuery::parse(&search.get_untracked())/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Filters(query: AuditQuery) -> impl IntoView {
    let field = |label: &'static str, name: &'static str, kind: &'static str, value: String| {
        let id = format!("audit-{name}");
        view! {
            <div>
                <label for=id.clone() class="block text-sm text-slate-700">{label}</label>
                <input id=id name=name type=kind value=value class="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"/>
            </div>
        }
    };
    view! {
        <Form method="GET" action="/audit" attr:class="mt-4 grid grid-cols-1 items-end gap-3 sm:grid-cols-3 lg:grid-cols-6">
            {field("Actor", "actor", "text", query.actor.clone())}
            {field("Action", "action", "text", query.action.clone())}
            {field("Target", "target", "text", query.target.clone())}
            {field("From", "from", "date", query.from.clone().unwrap_or_default())}
            {field("Until", "to", "date", query.to.clone().unwrap_or_default())}
            <button type="submit" class="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">"Filter"</button>
        </Form>
    }
}

#[component]
fn Entries(page: AuditPage, query: AuditQuery) -> impl IntoView {
    if page.entries.is_empty() {
        return view! { <p class="mt-6 text-slate-600" data-testid="empty">"No events match."</p> }
            .into_any();
    }
    let next = page.next_before.map(|before| {
        let mut parts = vec![];
        for (k, v) in [
            ("actor", &query.actor),
            ("action", &query.action),
            ("target", &query.target),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", crate::routes::encode_query_value(v)));
            }
        }
        for (k, v) in [("from", &query.from), ("to", &query.to)] {
            if let Some(v) = v {
                parts.push(format!("{k}={v}"));
            }
        }
        parts.push(format!("before={before}"));
        format!("/audit?{}", parts.join("&"))
    });
    view! {
        <DataTable columns=vec!["Time", "Actor", "Action", "Target", "IP", "Details"]>
                    {page.entries.into_iter().map(|e| view! {
                        <tr>
                            <td class="px-4 py-2 whitespace-nowrap">{short_time(&e.at)}</td>
                            <td class="px-4 py-2">{e.actor.unwrap_or_else(|| "—".into())}</td>
                            <td class="px-4 py-2">
                                {e.action}
                                {(!e.success).then(|| view! { <span class="ml-1 text-red-700">"(failed)"</span> })}
                            </td>
                            <td class="px-4 py-2">{e.target.unwrap_or_default()}</td>
                            <td class="px-4 py-2">{e.ip.unwrap_or_default()}</td>
                            <td class="px-4 py-2 font-mono text-xs text-slate-600 break-all">{e.details.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
        </DataTable>
        {next.map(|href| view! {
            <p class="py-3"><A href=href attr:class="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100">"Older events →"</A></p>
        })}
    }
    .into_any()
}
