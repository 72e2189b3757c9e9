use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_location;

use crate::api::audit::list_audit;
use crate::components::alert::LoadError;
use crate::components::pager::Pager;
use crate::components::style;
use crate::components::table::DataTable;
use crate::components::time::short_time;
use crate::model::audit::{ACTIONS, ACTION_GROUPS};
use crate::model::{AuditPage, AuditQuery};

/// `/audit`: every change and sign-in, newest first, with filters in the URL.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let location = use_location();
    let search = Memo::new(move |_| location.search.get());
    let entries = Resource::new(move || search.get(), list_audit);
    view! {
        <leptos_meta::Title text="Audit log"/>
        <div class="flex flex-wrap items-center justify-between gap-4">
            <h1 class="text-2xl font-semibold">"Audit log"</h1>
            // The events matching the filters, every page of them.
            <a href=move || format!("/export/audit.csv?{}", filters_query(&AuditQuery::parse(&search.get())).join("&"))
                download rel="external" class=style::SECONDARY data-testid="audit-csv">"Export CSV"</a>
        </div>
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
                <input id=id name=name type=kind value=value class=format!("{} mt-1 w-full", style::COMPACT_INPUT)/>
            </div>
        }
    };
    let chosen = query.action.clone();
    let option = move |value: &'static str, text: String| {
        let selected = chosen == value;
        view! { <option value=value selected=selected>{text}</option> }
    };
    // An action typed into the address that the picker does not list.
    let other = (!query.action.is_empty()
        && !ACTIONS.iter().any(|(_, code, _)| *code == query.action)
        && !ACTION_GROUPS
            .iter()
            .any(|(_, prefix)| *prefix == query.action))
    .then(|| query.action.clone());
    view! {
        <Form method="GET" action="/audit" attr:class="mt-4 grid grid-cols-1 items-end gap-3 sm:grid-cols-3 lg:grid-cols-6">
            {field("Actor", "actor", "text", query.actor.clone())}
            <div>
                <label for="audit-action" class="block text-sm text-slate-700">"Action"</label>
                <select id="audit-action" name="action" class=format!("{} mt-1 w-full", style::COMPACT_INPUT)>
                    <option value="">"Any action"</option>
                    {other.map(|code| view! { <option value=code.clone() selected=true>{code.clone()}</option> })}
                    {ACTION_GROUPS.iter().map(|(group, prefix)| {
                        let option = option.clone();
                        view! {
                            <optgroup label=*group>
                                {option(prefix, format!("All: {}", group.to_lowercase()))}
                                {ACTIONS.iter().filter(|(g, _, _)| g == group).map(|(_, code, template)| {
                                    option(code, describe(template))
                                }).collect_view()}
                            </optgroup>
                        }
                    }).collect_view()}
                </select>
            </div>
            {field("Target", "target", "text", query.target.clone())}
            {field("From", "from", "date", query.from.clone().unwrap_or_default())}
            {field("Until", "to", "date", query.to.clone().unwrap_or_default())}
            <button type="submit" class=style::PRIMARY>"Filter"</button>
        </Form>
    }
}

/// "{actor} deactivated {target}" → "deactivated …": the picker's wording.
fn describe(template: &str) -> String {
    let text = template
        .replace("{actor} ", "")
        .replace("{target}", "…")
        .replace("{group}", "a group");
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// The filters as an address query (without paging).
fn filters_query(query: &AuditQuery) -> Vec<String> {
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
    parts
}

#[component]
fn Entries(page: AuditPage, query: AuditQuery) -> impl IntoView {
    if page.entries.is_empty() {
        return view! { <p class="mt-6 text-slate-600" data-testid="empty">"No events match."</p> }
            .into_any();
    }
    let count = page.entries.len();
    // Keyset pages go back to the newest, not one page up.
    let newest = query
        .before
        .is_some()
        .then(|| format!("/audit?{}", filters_query(&query).join("&")));
    let next = page.next_before.map(|before| {
        let mut parts = filters_query(&query);
        parts.push(format!("before={before}"));
        format!("/audit?{}", parts.join("&"))
    });
    view! {
        <DataTable columns=vec!["Time", "Event", "IP"] label="Audit events">
            {page.entries.into_iter().map(|e| view! {
                <tr>
                    <td class="px-4 py-2 align-top whitespace-nowrap">{short_time(&e.at)}</td>
                    <td class="px-4 py-2">
                        <crate::components::audit::EventSentence entry=e.clone()/>
                    </td>
                    <td class="px-4 py-2 align-top">{e.ip.unwrap_or_default()}</td>
                </tr>
            }).collect_view()}
        </DataTable>
        <Pager summary=format!("{count} events on this page, newest first") prev=newest next/>
    }
    .into_any()
}
