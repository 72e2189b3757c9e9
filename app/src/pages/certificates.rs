//! `/certificates`: every certificate Usher issued, filtered by state and
//! username, with how many expire soon.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::certificates::{list_certificates, RenewExpiring, RevokeCertificate};
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::certificates::CertificateTable;
use crate::components::pager::{numbered, page_of, Pager};
use crate::components::style;
use crate::components::table::DataTable;
use crate::model::{
    CertificateList, CertificateState, IssuedCertificate, EXPIRING_DAYS, RENEW_AT_ONCE,
};

#[component]
pub fn CertificatesPage() -> impl IntoView {
    let query = use_query_map();
    let state = Memo::new(move |_| query.read().get("state").unwrap_or_default());
    let username = Memo::new(move |_| query.read().get("username").unwrap_or_default());
    let page = crate::components::table::page_in_query();
    let revoke = ServerAction::<RevokeCertificate>::new();
    let renew = ServerAction::<RenewExpiring>::new();
    let list = Resource::new(
        move || {
            (
                state.get(),
                username.get(),
                page.get(),
                revoke.version().get(),
                renew.version().get(),
            )
        },
        |(state, username, page, _, _)| list_certificates(Some(state), Some(username), Some(page)),
    );
    view! {
        <leptos_meta::Title text="Certificates"/>
        <h1 class="text-2xl font-semibold">"Certificates"</h1>
        <form method="get" action="/certificates" class="mt-4 flex flex-wrap items-end gap-3" role="search">
            <label class="text-sm text-slate-700">"State"
                <select name="state" class=format!("{} mt-1 block", style::COMPACT_INPUT)>
                    <option value="" selected=move || state.get().is_empty()>"All"</option>
                    {CertificateState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || state.get() == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="text-sm text-slate-700">"Username starts with"
                <input name="username" value=move || username.get()
                    class=format!("{} mt-1 block", style::COMPACT_INPUT)/>
            </label>
            <button type="submit" class=style::SECONDARY>"Filter"</button>
        </form>
        {move || revoke.value().get().and_then(Result::err)
            .or_else(|| renew.value().get().and_then(Result::err))
            .map(|e| view! { <div class="mt-4"><ErrorAlert message=e.to_string()/></div> })}
        {move || renew.value().get().and_then(Result::ok).map(|renewed| view! { <Renewed renewed/> })}
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || list.get().map(|result| match result {
                Ok(list) => view! {
                    <RenewForm action=renew expiring=list.expiring/>
                    <Certificates list revoke state=state.get_untracked() username=username.get_untracked()/>
                }.into_any(),
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
    let link = move |page: u64| {
        format!(
            "/certificates?state={}&username={}&page={page}",
            crate::routes::encode_query_value(&state),
            crate::routes::encode_query_value(&username)
        )
    };
    let back = link(list.page);
    view! {
        {summary}
        <CertificateTable rows=list.rows show_user=true revoke back/>
        {
            let (prev, next) = numbered(list.page, list.total, list.per_page, link);
            view! { <Pager summary=page_of(list.page, list.total, list.per_page, "certificates") prev next/> }
        }
    }
    .into_any()
}

/// "Renew…": confirms first, since each holder's current certificate is
/// revoked when the new one is mailed.
#[component]
fn RenewForm(action: ServerAction<RenewExpiring>, expiring: u64) -> impl IntoView {
    (expiring > 0).then(|| {
        let count = expiring.min(RENEW_AT_ONCE);
        view! {
            <details class="mt-4 max-w-2xl rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm">
                <summary class="cursor-pointer font-medium text-amber-900">{format!("Renew expiring certificates ({count})…")}</summary>
                <p class="mt-2 text-amber-900">{format!(
                    "Each of the {count} holders is mailed a new certificate; their current one is revoked as superseded. \
                     The new passwords are shown here once."
                )}</p>
                <ActionForm action attr:class="mt-2">
                    <button type="submit" disabled=move || action.pending().get()
                        class="rounded-md bg-amber-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-amber-500 disabled:opacity-60">
                        {format!("Renew {count} certificates")}
                    </button>
                </ActionForm>
            </details>
        }
    })
}

/// The renewed certificates with their passwords, shown once.
#[component]
fn Renewed(renewed: Vec<IssuedCertificate>) -> impl IntoView {
    view! {
        <section role="status" class="mt-4" data-testid="renewed">
            <p class="text-sm font-medium">{format!(
                "{} certificates renewed and mailed. Give each holder their password another way; it is shown only now.",
                renewed.len()
            )}</p>
            <DataTable columns=vec!["User", "Mailed to", "Password"] label="Renewed certificates">
                {renewed.into_iter().map(|c| view! {
                    <tr>
                        <td class="px-4 py-2">{c.username}</td>
                        <td class="px-4 py-2 break-all">{c.emailed_to}</td>
                        <td class="px-4 py-2 font-mono">{c.password}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
        </section>
    }
}
