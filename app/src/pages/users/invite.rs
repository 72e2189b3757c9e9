//! `/users/invite`: "Invite users". Paste addresses; check who would be
//! invited (and as which username), who already has an account and what is
//! not an address; choose role and groups; send the invitations.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::invitations::{check_invites, InviteUsers};
use crate::api::users::directory_options;
use crate::components::alert::ErrorAlert;
use crate::components::role_groups::RoleAndGroups;
use crate::components::style;
use crate::model::{InviteReport, MAX_INVITES};

#[component]
pub fn InviteUsersPage() -> impl IntoView {
    let send = ServerAction::<InviteUsers>::new();
    let options = Resource::new(|| (), |_| directory_options());
    let query = use_query_map();
    let addresses = RwSignal::new(String::new());
    // "Check addresses" needs JavaScript: shown once the page is hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let checked = RwSignal::new(None::<Result<InviteReport, crate::AppError>>);
    let check = move |_| {
        let text = addresses.get_untracked();
        leptos::task::spawn_local(async move {
            checked.set(Some(check_invites(text).await));
        });
    };
    // The report: after sending (action or, without JavaScript, the URL),
    // else the check's.
    let from_url = move || {
        let q = query.read();
        let words = |key: &str| -> Vec<String> {
            q.get(key)
                .map(|v| v.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default()
        };
        q.get("invited").is_some().then(|| InviteReport {
            invited: words("invited")
                .into_iter()
                .map(|e| (e, String::new()))
                .collect(),
            existing: words("existing"),
            invalid: words("invalid"),
            repeated: 0,
            sent: true,
        })
    };
    let report = move || match send.value().get() {
        Some(Ok(report)) => Some(report),
        Some(Err(_)) => None,
        None => from_url().or_else(|| checked.get().and_then(Result::ok)),
    };
    let error = move || {
        send.value()
            .get()
            .and_then(Result::err)
            .or_else(|| checked.get().and_then(Result::err))
            .map(|e| e.summary())
            .or_else(|| query.read().get("error"))
    };
    view! {
        <leptos_meta::Title text="Invite users"/>
        <p class="text-sm"><a href="/users" class="text-indigo-700 hover:underline">"← Users"</a></p>
        <h1 class="mt-1 text-2xl font-semibold">"Invite users"</h1>
        <p class="mt-2 max-w-2xl text-sm text-slate-600">
            {format!("Paste up to {MAX_INVITES} email addresses, separated by commas, semicolons, spaces or new lines. \
                Each new address gets an account in the state Invited, with a username from its address, and a mail \
                with a link to choose a password.")}
        </p>
        <ActionForm action=send attr:class="mt-6 max-w-3xl space-y-4">
            <div>
                <label for="addresses" class="block text-sm font-medium text-slate-700">"Email addresses"</label>
                <textarea id="addresses" name="addresses" rows="6" required
                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
                    prop:value=move || addresses.get()
                    on:input=move |ev| addresses.set(event_target_value(&ev))></textarea>
            </div>
            <Suspense>
                {move || options.get().and_then(Result::ok).map(|options| {
                    view! { <RoleAndGroups options id="invite"/> }
                })}
            </Suspense>
            {move || error().map(|message| view! { <ErrorAlert message/> })}
            <div class="flex flex-wrap gap-2">
                <Show when=move || hydrated.get()>
                    <button type="button" on:click=check
                        class=style::SECONDARY>"Check addresses"</button>
                </Show>
                <button type="submit" disabled=move || send.pending().get()
                    class=style::PRIMARY>
                    "Send invitations"
                </button>
            </div>
        </ActionForm>
        {move || report().map(|r| view! { <Report report=r/> })}
    }
}

#[component]
fn Report(report: InviteReport) -> impl IntoView {
    let headline = if report.sent {
        format!("Invited {} of the addresses.", report.invited.len())
    } else {
        format!("{} would be invited.", report.invited.len())
    };
    let list = |title: String, items: Vec<String>, testid: &'static str| {
        (!items.is_empty()).then(|| {
            view! {
                <div class="mt-3" data-testid=testid>
                    <h3 class="text-sm font-semibold">{title}</h3>
                    <ul class="mt-1 list-inside list-disc text-sm text-slate-700">
                        {items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}
                    </ul>
                </div>
            }
        })
    };
    let invited: Vec<String> = report
        .invited
        .iter()
        .map(|(email, username)| {
            if username.is_empty() {
                email.clone()
            } else {
                format!("{email} as {username}")
            }
        })
        .collect();
    let repeated = (report.repeated > 0).then(|| {
        view! { <p class="mt-2 text-sm text-slate-600">{format!("{} repeated addresses were counted once.", report.repeated)}</p> }
    });
    view! {
        <section role="status" class="mt-6 max-w-3xl rounded-lg border border-slate-200 bg-white p-4" aria-label="Invitation report">
            <p class="font-medium" data-testid="invite-headline">{headline}</p>
            {list(if report.sent { "Invited".into() } else { "To invite".into() }, invited, "invite-new")}
            {list("Already have an account".into(), report.existing, "invite-existing")}
            {list("Not email addresses".into(), report.invalid, "invite-invalid")}
            {repeated}
        </section>
    }
}
