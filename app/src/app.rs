use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

use crate::components::alert::Toaster;
use crate::components::layout::ConsoleLayout;
use crate::pages::{
    account::AccountPage,
    audit::AuditLogPage,
    certificate_settings::CertificateSettingsPage,
    certificates::CertificatesPage,
    change_password::ChangePasswordPage,
    forgot_password::ForgotPasswordPage,
    groups::GroupsPage,
    home::HomePage,
    invite::InvitePage,
    jobs::{BulkConfirmPage, JobPage},
    login::LoginPage,
    mail_settings::MailSettingsPage,
    not_found::NotFound,
    register::{ConfirmEmailPage, RegisterPage},
    requests::{RequestPage, RequestsPage},
    reset_password::ResetPasswordPage,
    roles::RolesPage,
    settings::SettingsPage,
    setup::SetupPage,
    users::detail::UserDetailPage,
    users::import::{ImportPage, ImportUploadPage},
    users::invite::InviteUsersPage,
    users::list::UsersPage,
    users::new::NewUserPage,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

/// Hands the per-request CSP nonce (made by the server) to the hydration
/// scripts, so the page needs no `unsafe-inline`.
#[cfg(feature = "ssr")]
fn provide_request_nonce() {
    use http::request::Parts;
    if let Some(parts) = use_context::<Parts>() {
        if let Some(nonce) = parts.extensions.get::<crate::ssr::CspNonce>() {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0.clone()));
        }
    }
}

/// `<body data-hydrated="true">` once the wasm has taken over (tests wait for it).
fn mark_hydrated() {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::auth_state::provide_auth();
    mark_hydrated();

    view! {
        <Title formatter=|text: String| format!("{text} · Usher")/>
        <Toaster>
            <Router>
                <Routes fallback=NotFound>
                    // Async: the whole page, data included, is in the first
                    // HTML answer, so it works before (or without) the wasm.
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                    <Route path=path!("/invite") view=InvitePage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("/register/confirm") view=ConfirmEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                        <Route path=path!("/users") view=UsersPage ssr=SsrMode::Async/>
                        <Route path=path!("/users/new") view=NewUserPage ssr=SsrMode::Async/>
                        <Route path=path!("/users/invite") view=InviteUsersPage ssr=SsrMode::Async/>
                        <Route path=path!("/users/import") view=ImportUploadPage ssr=SsrMode::Async/>
                        <Route path=path!("/users/import/:id") view=ImportPage ssr=SsrMode::Async/>
                        <Route path=path!("/users/:username") view=UserDetailPage ssr=SsrMode::Async/>
                        <Route path=path!("/jobs/new") view=BulkConfirmPage ssr=SsrMode::Async/>
                        <Route path=path!("/jobs/:id") view=JobPage ssr=SsrMode::Async/>
                        <Route path=path!("/requests") view=RequestsPage ssr=SsrMode::Async/>
                        <Route path=path!("/requests/:id") view=RequestPage ssr=SsrMode::Async/>
                        <Route path=path!("/roles") view=RolesPage ssr=SsrMode::Async/>
                        <Route path=path!("/groups") view=GroupsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/mail") view=MailSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/settings/certificates") view=CertificateSettingsPage ssr=SsrMode::Async/>
                        <Route path=path!("/certificates") view=CertificatesPage ssr=SsrMode::Async/>
                        <Route path=path!("/audit") view=AuditLogPage ssr=SsrMode::Async/>
                        <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                        <Route path=path!("/account/password") view=ChangePasswordPage ssr=SsrMode::Async/>
                    </ParentRoute>
                </Routes>
            </Router>
        </Toaster>
    }
}
