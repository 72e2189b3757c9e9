use leptos::prelude::*;

use leptos_router::hooks::use_query_map;

use crate::auth_state::use_auth;

/// The signed-in person's own page (the only page a General user sees).
#[component]
pub fn AccountPage() -> impl IntoView {
    let user = use_auth().user;
    let query = use_query_map();
    view! {
        <leptos_meta::Title text="My account"/>
        <h1 class="text-2xl font-semibold">"My account"</h1>
        {move || query.read().get("password_changed").map(|_| view! {
            <p role="status" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
                "Your password is changed."
            </p>
        })}
        <Suspense>
            {move || user.get().flatten().map(|u| view! {
                <dl class="mt-4 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
                    <dt class="text-slate-500">"Username"</dt><dd>{u.username}</dd>
                    <dt class="text-slate-500">"Name"</dt><dd>{u.display_name}</dd>
                </dl>
            })}
        </Suspense>
        <p class="mt-6"><a href="/account/password" class="text-sm text-indigo-700 underline">"Change password"</a></p>
        <MyCertificates/>
    }
}

/// The caller's certificates, and the CA certificate to trust.
#[component]
fn MyCertificates() -> impl IntoView {
    let rows = Resource::new(|| (), |_| crate::api::certificates::my_certificates());
    view! {
        <section class="mt-8 max-w-3xl" aria-labelledby="my-certificates">
            <h2 id="my-certificates" class="text-lg font-semibold">"My certificates"</h2>
            <Transition>
                {move || rows.get().and_then(Result::ok).map(|rows| if rows.is_empty() {
                    view! { <p class="mt-2 text-sm text-slate-600">"You have no certificates."</p> }.into_any()
                } else {
                    view! { <crate::components::certificates::CertificateTable rows show_user=false/> }.into_any()
                })}
            </Transition>
            <p class="mt-3 text-sm">
                <a href="/pki/ca.pem" download="usher-ca.pem" rel="external" class="text-indigo-700 underline">"Download Usher's CA certificate"</a>
            </p>
        </section>
    }
}
