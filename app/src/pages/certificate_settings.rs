//! `/settings/certificates`: Usher's own certificate authority.
use leptos::prelude::*;

use super::users::list::short_time;
use crate::api::certificates::certificate_authority;
use crate::components::alert::LoadError;
use crate::model::CaView;

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
                {row("Client certificates last", format!("{} days", ca.client_validity_days), "ca-client-days")}
            </dl>
            <div class="mt-6 flex flex-wrap gap-2">
                <a href="/pki/ca.pem" download="usher-ca.pem" rel="external"
                    class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500">
                    "Download CA certificate (PEM)"
                </a>
                <a href="/pki/ca.der" download="usher-ca.der" rel="external"
                    class="rounded-md border border-slate-300 px-4 py-2 text-sm hover:bg-slate-100">
                    "Download CA certificate (DER)"
                </a>
            </div>
        </section>
    }
}
