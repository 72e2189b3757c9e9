//! `/certificates`: every certificate Usher issued, filtered by state and
//! username, with how many expire soon.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::certificates::{list_certificates, RevokeCertificate};
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::certificates::CertificateTable;
use crate::model::{CertificateList, CertificateState, EXPIRING_DAYS};

#[component]
pub fn CertificatesPage() -> impl IntoView {
    let query = use_query_map();
    let state = Memo::new(move |_| query.read().get("state").unwrap_or_default());
    let username = Memo::new(move |_| query.read().get("username").unwrap_or_default());
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
    });
    let revoke = ServerAction::<RevokeCertificate>::new();
    let list = Resource::new(
        move || {
            (
                state.get(),
                username.get(),
                page.get(),
                revoke.version().get(),
            )
        },
        |(state, username, page, _)| list_certificates(Some(state), Some(username), Some(page)),
    );
    view! {
        <leptos_meta::Title text="Certificates"/>
        <h1 class="text-2xl font-semibold">"Certificates"</h1>
        <form method="get" action="/certificates" class="mt-4 flex flex-wrap items-end gap-3" role="search">
            <label class="text-sm text-slate-700">"State"
                <select name="state" class="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm">
                    <option value="" selected=move || state.get().is_empty()>"All"</option>
                    {CertificateState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || state.get() == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="text-sm text-slate-700">"Username starts with"
                <input name="username" value=move || username.get()
                    class="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm"/>
            </label>
            <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">"Filter"</button>
        </form>
        {move || revoke.value().get().and_then(Result::err).map(|e| view! { <div class="mt-4"><ErrorAlert message=e.to_string()/></div> })}
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || list.get().map(|result| match result {
                Ok(list) => view! { <Certificates list revoke state=state.get_untracked() username=username.get_untracked()/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Certificates(
    list: CertificateList,
    revoke: ServerAction<RevokeCertificate>,
    state: String,
    username: String,
) -> impl IntoView {
    let expiring = list.expiring;
    let summary = view! {
        <p class="mt-4 text-sm" data-testid="expiring-count">
            <a href="/certificates?state=expiring" class="text-amber-800 hover:underline">
                {format!("Expiring soon (within {EXPIRING_DAYS} days): {expiring}")}
            </a>
        </p>
    };
    if list.rows.is_empty() {
        return view! { {summary} <p class="mt-6 text-slate-600" data-testid="empty">"No certificates match."</p> }.into_any();
    }
    let pages = list.total.div_ceil(list.per_page).max(1);
    let link = move |page: u64| {
        format!(
            "/certificates?state={}&username={}&page={page}",
            crate::routes::encode_query_value(&state),
            crate::routes::encode_query_value(&username)
        )
    };
    let prev = (list.page > 1).then(|| link(list.page - 1));
    let next = (list.page < pages).then(|| link(list.page + 1));
    let back = link(list.page);
    view! {
        {summary}
        <CertificateTable rows=list.rows show_user=true revoke back/>
        <div class="flex items-center gap-3 py-3 text-sm">
            <span>{format!("Page {} of {pages} · {} certificates", list.page, list.total)}</span>
            {prev.map(|href| view! { <a href=href class="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100">"← Newer"</a> })}
            {next.map(|href| view! { <a href=href class="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100">"Older →"</a> })}
        </div>
    }
    .into_any()
}
