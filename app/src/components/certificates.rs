//! The certificate table (on `/certificates`, a user's "Certificates" tab and
//! `/account`), its state badge, the "Revoke" form, and the panel that shows
//! a new certificate's PKCS#12 password once.
use leptos::prelude::*;

use crate::api::certificates::RevokeCertificate;
use crate::components::table::DataTable;
use crate::components::time::short_time;
use crate::model::{CertificateRow, CertificateState, IssuedCertificate, RevocationReason};

#[component]
pub fn CertificateBadge(state: CertificateState) -> impl IntoView {
    let colour = match state {
        CertificateState::Active => "bg-green-100 text-green-800",
        CertificateState::Expiring => "bg-amber-100 text-amber-800",
        CertificateState::Expired => "bg-slate-200 text-slate-700",
        CertificateState::Revoked => "bg-red-100 text-red-800",
    };
    view! {
        <span class=format!("whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium {colour}")>{state.label()}</span>
    }
}

/// Certificates with user (optional), serial, issued, expires, days left and
/// state; with `revoke`, unrevoked ones get a "Revoke…" form that comes back
/// to `back`.
#[component]
pub fn CertificateTable(
    rows: Vec<CertificateRow>,
    show_user: bool,
    #[prop(optional)] revoke: Option<ServerAction<RevokeCertificate>>,
    #[prop(into, optional)] back: String,
) -> impl IntoView {
    let mut columns = vec!["Serial", "Issued", "Expires", "Days left", "State"];
    if show_user {
        columns.insert(0, "User");
    }
    if revoke.is_some() {
        columns.push("");
    }
    view! {
        <DataTable columns label="Certificates">
            {rows.into_iter().map(|c| {
                let user_href = format!("/users/{}?tab=certificates", crate::routes::encode_query_value(&c.username));
                let reason = c.revocation_reason.map(|r| r.label());
                let can_revoke = c.state != CertificateState::Revoked;
                let back = back.clone();
                view! {
                    <tr data-testid="certificate-row" data-serial=c.serial_hex.clone()>
                        {show_user.then(|| view! {
                            <td class="px-4 py-2"><a href=user_href class="font-medium text-indigo-700 hover:underline">{c.username.clone()}</a></td>
                        })}
                        <td class="px-4 py-2 font-mono text-xs break-all" title=c.serial_hex.clone()>{format!("{}…", c.serial_hex.get(..16).unwrap_or(&c.serial_hex))}</td>
                        <td class="px-4 py-2 whitespace-nowrap">{short_time(&c.issued_at)}</td>
                        <td class="px-4 py-2 whitespace-nowrap">{short_time(&c.not_after)}</td>
                        <td class="px-4 py-2">{c.days_left.to_string()}</td>
                        <td class="px-4 py-2" title=reason.unwrap_or("")>
                            <CertificateBadge state=c.state/>
                        </td>
                        {revoke.map(|action| view! {
                            <td class="px-4 py-2">
                                {can_revoke.then(|| view! { <RevokeForm action id=c.id.clone() owner=c.username.clone() back=back.clone()/> })}
                            </td>
                        })}
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
}

/// "Revoke…" opens the reason and the confirming button (a native
/// disclosure, so it needs no JavaScript).
#[component]
fn RevokeForm(
    action: ServerAction<RevokeCertificate>,
    id: String,
    owner: String,
    back: String,
) -> impl IntoView {
    view! {
        <details class="text-sm">
            <summary class="cursor-pointer text-red-700 hover:underline">"Revoke…"</summary>
            <ActionForm action attr:class="mt-2 space-y-2">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="back" value=back/>
                <label class="block text-xs text-slate-600">"Reason"
                    <select name="reason" class=format!("{} mt-1 block", super::style::COMPACT_INPUT)>
                        {RevocationReason::ALL.into_iter().filter(|r| *r != RevocationReason::Superseded).map(|r| view! {
                            <option value=r.as_str()>{r.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <p class="text-xs text-slate-600">{format!("{owner}'s certificate stops working at once; this cannot be undone.")}</p>
                <button type="submit" class=crate::components::style::DANGER_CONFIRM>
                    "Revoke certificate"
                </button>
            </ActionForm>
        </details>
    }
}

/// Shown once after issuing: where it was mailed, and the PKCS#12 password
/// to give the user by another channel.
#[component]
pub fn PasswordOnce(issued: IssuedCertificate) -> impl IntoView {
    let password = issued.password.clone();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&password);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &password;
    };
    view! {
        <div role="status" class="mt-4 max-w-2xl rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900" data-testid="issued">
            <p>{format!(
                "Certificate issued to {} and mailed to {}. It is valid until {}.",
                issued.username, issued.emailed_to, short_time(&issued.not_after)
            )}</p>
            <p class="mt-2 font-medium">"Password of the certificate file — shown only now. Give it to the user another way (phone, in person):"</p>
            <div class="mt-2 flex items-center gap-2">
                <code class="rounded bg-white px-3 py-1.5 font-mono text-base tracking-wide" data-testid="p12-password">{issued.password.clone()}</code>
                <button type="button" on:click=copy
                    class="rounded-md border border-emerald-300 px-3 py-1.5 text-sm hover:bg-emerald-100">
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
        </div>
    }
}
