//! `/settings/certificates`: Usher's own certificate authority.
use leptos::prelude::*;

use crate::api::certificates::{certificate_authority, SaveCertificateSettings};
use crate::components::alert::LoadError;
use crate::components::style;
use crate::components::time::short_time;
use crate::model::{ApprovalMode, CaView};

#[component]
pub fn CertificateSettingsPage() -> impl IntoView {
    let ca = Resource::new(|| (), |_| certificate_authority());
    view! {
        <leptos_meta::Title text="Certificates"/>
        <p class="text-sm"><a href="/settings" class="text-indigo-700 hover:underline">"← Settings"</a></p>
        <h1 class="mt-1 text-2xl font-semibold">"Certificate authority"</h1>
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || ca.get().map(|result| match result {
                Ok(ca) => view! { <Authority ca/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Authority(ca: CaView) -> impl IntoView {
    let row = |term: &'static str, value: String, testid: &'static str| {
        view! {
            <dt class="text-slate-500">{term}</dt>
            <dd class="break-all font-mono text-xs sm:text-sm" data-testid=testid>{value}</dd>
        }
    };
    view! {
        <section class="mt-6 max-w-3xl rounded-lg border border-slate-200 bg-white p-6">
            <p class="text-sm text-slate-600">
                "Usher signs its users' client certificates and its own HTTPS certificate with this authority. \
                 Its private key is stored encrypted."
            </p>
            <dl class="mt-4 grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
                {row("Subject", ca.subject, "ca-subject")}
                {row("SHA-256 fingerprint", ca.fingerprint_sha256, "ca-fingerprint")}
                {row("Valid from", short_time(&ca.not_before), "ca-from")}
                {row("Valid until", short_time(&ca.not_after), "ca-until")}
                {row("Certificate sign-in", ca.https_url.clone().map(|u| format!("{u}/login")).unwrap_or_else(|| "Off (USHER_HTTPS_ADDR=off)".into()), "ca-https")}
            </dl>
            <div class="mt-6 flex flex-wrap gap-2">
                <a href="/pki/ca.pem" download="usher-ca.pem" rel="external"
                    class=style::PRIMARY>
                    "Download CA certificate (PEM)"
                </a>
                <a href="/pki/ca.der" download="usher-ca.der" rel="external"
                    class=style::SECONDARY>
                    "Download CA certificate (DER)"
                </a>
                <a href="/pki/crl.pem" download="usher.crl.pem" rel="external"
                    class=style::SECONDARY>
                    "Download revocation list (CRL)"
                </a>
            </div>
        </section>
        <SettingsForm days=ca.client_validity_days mode=ca.approval_mode/>
    }
}

/// The validity of new certificates and the approval mode.
#[component]
fn SettingsForm(days: i64, mode: ApprovalMode) -> impl IntoView {
    let save = ServerAction::<SaveCertificateSettings>::new();
    let query = leptos_router::hooks::use_query_map();
    let error = Signal::derive(move || {
        save.value().with(|v| match v {
            Some(Err(e)) => e.field_message("client_validity_days"),
            _ => None,
        })
    });
    let saved =
        move || matches!(save.value().get(), Some(Ok(()))) || query.read().get("saved").is_some();
    let days = RwSignal::new(days.to_string());
    view! {
        <section class="mt-6 max-w-3xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="cert-settings">
            <h2 id="cert-settings" class="text-lg font-semibold">"Users' certificates"</h2>
            <ActionForm action=save attr:class="mt-4 space-y-4">
                <crate::components::field::TextField label="Validity of new certificates (days)" name="client_validity_days"
                    kind="number" autocomplete="off" value=days error/>
                <fieldset class="space-y-2 text-sm">
                    <legend class="font-medium text-slate-700">"Approving an access request"</legend>
                    <label class="flex items-center gap-2">
                        <input type="radio" name="approval_mode" value="link" checked=mode == ApprovalMode::Link/>
                        "Mails a link to choose a password"
                    </label>
                    <label class="flex items-center gap-2">
                        <input type="radio" name="approval_mode" value="certificate" checked=mode == ApprovalMode::Certificate/>
                        "Issues a certificate and mails it (sign-in with the certificate)"
                    </label>
                </fieldset>
                {move || saved().then(|| view! { <p role="status" class="text-sm text-emerald-700">"Saved."</p> })}
                <button type="submit" disabled=move || save.pending().get()
                    class=style::PRIMARY>"Save"</button>
            </ActionForm>
        </section>
    }
}
