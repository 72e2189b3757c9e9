use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

use crate::auth_state::use_auth;
use crate::model::{CurrentUser, Permission};
use crate::routes::{decide, login_url, page_access, Decision};

/// The console frame: navigation on the left, the signed-in person and
/// "Sign out" on top, the page in the middle. Pages the person may not open
/// show a 403 message (the server also answers them with status 403).
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <p class="p-8 text-slate-500">"Loading…"</p> }>
            {move || {
                auth.user.get().map(|user| {
                    let path = location.pathname.get();
                    match decide(page_access(&path), user.as_ref()) {
                        Decision::SignIn => {
                            let next = format!("{path}{}", location.search.get_untracked());
                            view! { <Redirect path=login_url(&next)/> }.into_any()
                        }
                        Decision::ChangePassword => {
                            view! { <Redirect path=crate::routes::CHANGE_PASSWORD_PATH/> }.into_any()
                        }
                        Decision::Forbidden => {
                            view! { <Frame user=user.unwrap()><Forbidden/></Frame> }.into_any()
                        }
                        Decision::Allow => {
                            view! { <Frame user=user.unwrap()><Outlet/></Frame> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Frame(user: CurrentUser, children: Children) -> impl IntoView {
    let logout = use_auth().logout;
    let can_users = user.can(Permission::UsersRead);
    let can_roles = user.can(Permission::RolesManage);
    let can_audit = user.can(Permission::AuditRead);
    let can_groups = user.can(Permission::GroupsManage);
    let can_settings = user.can(Permission::SettingsManage);
    let can_certificates = user.can(Permission::CertificatesManage) && !user.must_change_password;
    // (Not while a password change is due: its count would be refused, and
    // that refusal would become the page's status.)
    let can_review = user.can(Permission::RequestsReview) && !user.must_change_password;
    // Below 1024 px the navigation folds behind "Menu": a checkbox and its
    // label, so it opens without JavaScript too; it folds again on each move.
    let menu_open = RwSignal::new(false);
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    view! {
        <div class="min-h-screen lg:flex">
            <div class="bg-slate-900 text-slate-100 lg:w-56 lg:min-h-screen lg:shrink-0">
                // Gone at 1024 px and wider, where the navigation always shows.
                <input type="checkbox" id="menu-toggle" class="peer sr-only lg:hidden" aria-controls="main-nav"
                    aria-label="Show the navigation"
                    prop:checked=move || menu_open.get()
                    on:change=move |ev| menu_open.set(event_target_checked(&ev))/>
                <div class="flex items-center justify-between px-4 py-2 lg:py-4">
                    <a href="/" class="text-lg font-semibold tracking-tight px-2 py-1">"Usher"</a>
                    <label for="menu-toggle" data-testid="menu-button"
                        class="inline-flex min-h-11 cursor-pointer items-center gap-2 rounded-md border border-slate-600 px-3 text-sm lg:hidden">
                        <span aria-hidden="true">"☰"</span>"Menu"
                    </label>
                </div>
                <nav aria-label="Main" id="main-nav" class="hidden flex-col gap-1 px-4 pb-4 peer-checked:flex lg:flex">
                    <Show when=move || can_users>
                        <NavLink href="/users" label="Users"/>
                    </Show>
                    <Show when=move || can_review>
                        <RequestsLink/>
                    </Show>
                    <Show when=move || can_groups>
                        <NavLink href="/groups" label="Groups"/>
                    </Show>
                    <Show when=move || can_roles>
                        <NavLink href="/roles" label="Roles"/>
                    </Show>
                    <Show when=move || can_certificates>
                        <CertificatesLink/>
                    </Show>
                    <Show when=move || can_audit>
                        <NavLink href="/audit" label="Audit log"/>
                    </Show>
                    <Show when=move || can_settings>
                        <NavLink href="/settings" label="Settings"/>
                    </Show>
                    <NavLink href="/account" label="My account"/>
                </nav>
            </div>
            <div class="flex-1 min-w-0">
                <header class="flex flex-wrap items-center justify-end gap-x-4 gap-y-2 border-b border-slate-200 bg-white px-4 py-3 sm:px-6">
                    <span class="text-sm text-slate-600" data-testid="signed-in-as">{user.display_name.clone()}</span>
                    <ActionForm action=logout>
                        <button type="submit" class=crate::components::style::SECONDARY>"Sign out"</button>
                    </ActionForm>
                </header>
                <main class="p-4 sm:p-6">{children()}</main>
            </div>
        </div>
    }
}

/// A navigation entry: 44 px tall below 1024 px (a finger's target).
const NAV_LINK: &str = "flex min-h-11 items-center justify-between gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-slate-800 aria-[current=page]:bg-slate-700 lg:min-h-0";

#[component]
fn NavLink(href: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <A href=href attr:class=NAV_LINK>
            {label}
        </A>
    }
}

/// "Access requests" with the number waiting for review, read again on
/// every navigation so a decision is reflected at once.
#[component]
fn RequestsLink() -> impl IntoView {
    let location = use_location();
    let waiting = Resource::new(
        move || location.pathname.get(),
        |_| crate::api::registration::waiting_requests(),
    );
    view! { <CountedLink href="/requests" label="Access requests" count=waiting testid="requests-badge" what="waiting"/> }
}

/// "Certificates" with how many expire soon.
#[component]
fn CertificatesLink() -> impl IntoView {
    let location = use_location();
    let expiring = Resource::new(
        move || location.pathname.get(),
        |_| crate::api::certificates::expiring_certificates(),
    );
    view! { <CountedLink href="/certificates" label="Certificates" count=expiring testid="expiring-badge" what="expiring soon"/> }
}

/// A navigation entry with a count that asks for attention ("3 waiting"),
/// shown when it is above zero.
#[component]
fn CountedLink(
    href: &'static str,
    label: &'static str,
    count: Resource<Result<u64, crate::error::AppError>>,
    testid: &'static str,
    what: &'static str,
) -> impl IntoView {
    view! {
        <A href=href attr:class=NAV_LINK>
            {label}
            <Transition>
                {move || count.get().and_then(Result::ok).filter(|n| *n > 0).map(|n| view! {
                    <span class="rounded-full bg-amber-400 px-2 text-xs font-semibold text-slate-900"
                        data-testid=testid title=what aria-label=format!("{n} {what}")>{n.to_string()}</span>
                })}
            </Transition>
        </A>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    view! {
        <leptos_meta::Title text="Forbidden"/>
        <div class="max-w-lg">
            <h1 class="text-2xl font-semibold">"403 — Not allowed"</h1>
            <p class="mt-2 text-slate-600">
                "Your role does not give you access to this page. Ask an administrator if you need it."
            </p>
        </div>
    }
}
