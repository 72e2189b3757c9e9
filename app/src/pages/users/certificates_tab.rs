//! A user's "Certificates" tab: their certificates, "Generate certificate"
//! (or "Regenerate certificate", which revokes the current ones as
//! superseded), and "Revoke…" per certificate.
use leptos::prelude::*;

use crate::api::certificates::{user_certificates, IssueCertificate, RevokeCertificate};
use crate::components::alert::LoadError;
use crate::components::certificates::CertificateTable;
use crate::components::confirm::ConfirmDialog;
use crate::components::style;
use crate::error::AppError;
use crate::model::{CertificateRow, CertificateState};
use leptos_router::components::A;

/// The tab's rows. Made by the user's page rather than the tab: a resource
/// made inside the page's own loaded content does not hydrate.
pub type CertificatesResource = Resource<Result<Vec<CertificateRow>, AppError>>;

/// The rows of `username`'s tab, loaded only while the tab is open, and again
/// after each issue or revocation.
pub fn certificates_resource(
    username: impl Fn() -> String + Send + Sync + 'static,
    open: impl Fn() -> bool + Send + Sync + 'static,
    issue: ServerAction<IssueCertificate>,
    revoke: ServerAction<RevokeCertificate>,
) -> CertificatesResource {
    Resource::new(
        move || {
            (
                username(),
                open(),
                issue.version().get(),
                revoke.version().get(),
            )
        },
        |(name, open, _, _)| async move {
            if open {
                user_certificates(name).await
            } else {
                Ok(Vec::new())
            }
        },
    )
}

#[component]
pub fn CertificatesTab(username: String, can_manage: bool, can_hold: bool) -> impl IntoView {
    // Made by the user's page, which shows their results and errors.
    let issue = expect_context::<ServerAction<IssueCertificate>>();
    let revoke = expect_context::<ServerAction<RevokeCertificate>>();
    let rows = expect_context::<CertificatesResource>();
    let back = format!(
        "/users/{}?tab=certificates",
        crate::routes::encode_query_value(&username)
    );
    // One root element: the tab is swapped in by a closure, which needs it.
    view! {
        <div>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || rows.get().map(|result| match result {
                Ok(rows) => {
                    let has_current = rows.iter().any(|r| matches!(r.state, CertificateState::Active | CertificateState::Expiring));
                    let form = (can_manage && can_hold).then(|| view! {
                        <IssueForm action=issue username=username.clone() replace=has_current/>
                    });
                    let table = if rows.is_empty() {
                        view! { <p class="mt-4 text-sm text-slate-600" data-testid="no-certificates">"No certificates yet."</p> }.into_any()
                    } else if can_manage {
                        view! { <CertificateTable rows show_user=false revoke back=back.clone()/> }.into_any()
                    } else {
                        view! { <CertificateTable rows show_user=false/> }.into_any()
                    };
                    view! { <div>{form} {table}</div> }.into_any()
                }
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
        </div>
    }
}

/// "Generate certificate", or "Regenerate certificate…", which asks first:
/// the current certificate is revoked at once, for good.
#[component]
fn IssueForm(
    action: ServerAction<IssueCertificate>,
    username: String,
    replace: bool,
) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let tab = format!(
        "/users/{}?tab=certificates",
        crate::routes::encode_query_value(&username)
    );
    let asking = move || replace && query.read().get("confirm").as_deref() == Some("regenerate");
    let title = format!("Regenerate the certificate of {username}?");
    let form = move |button: &'static str, class: &'static str| {
        view! {
            <ActionForm action attr:class="flex flex-wrap items-center gap-4">
                <input type="hidden" name="username" value=username.clone()/>
                {replace.then(|| view! { <input type="hidden" name="replace" value="on"/> })}
                <button type="submit" disabled=move || action.pending().get() class=class>{button}</button>
                <label class="flex items-center gap-2 text-sm text-slate-700">
                    <input type="checkbox" name="legacy" value="on"/>
                    "Compatible file for older systems (3DES; macOS before 14, Windows 7)"
                </label>
            </ActionForm>
        }
    };
    if !replace {
        return form("Generate certificate", style::PRIMARY).into_any();
    }
    let ask = format!("{tab}&confirm=regenerate");
    let cancel = tab.clone();
    (move || {
        let form = form.clone();
        if asking() {
            view! {
                <ConfirmDialog title=title.clone() cancel=cancel.clone()
                    message="The current certificate is revoked at once (superseded) and cannot be restored; a new one is mailed to the user, with a password you give them yourself.">
                    {form("Revoke and regenerate", style::DANGER_CONFIRM)}
                </ConfirmDialog>
            }
            .into_any()
        } else {
            view! { <A href=ask.clone() attr:class=style::DANGER>"Regenerate certificate…"</A> }.into_any()
        }
    })
    .into_any()
}
