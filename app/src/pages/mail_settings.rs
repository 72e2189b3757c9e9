//! `/settings/mail`: the SMTP server, the sender, the public base URL of
//! links, a test mail, and the outbox with "Retry now".
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::mail::{load_mail_page, RetryMail, SaveMailSettings, SendTestMail};
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::style;
use crate::components::table::DataTable;
use crate::components::time::short_time;
use crate::model::{MailPage, MailSettings, OutboxEntry};

#[component]
pub fn MailSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveMailSettings>::new();
    let test = ServerAction::<SendTestMail>::new();
    let retry = ServerAction::<RetryMail>::new();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            (
                save.version().get(),
                retry.version().get(),
                test.version().get(),
            )
        },
        |_| load_mail_page(),
    );
    let error = move || {
        [
            save.value().get().and_then(Result::err),
            retry.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| e.summary())
        .or_else(|| query.read().get("error"))
    };
    let saved =
        move || matches!(save.value().get(), Some(Ok(()))) || query.read().get("saved").is_some();
    let test_answer = move || match test.value().get() {
        Some(Ok(answer)) => Some(Ok(answer)),
        Some(Err(e)) => Some(Err(e.summary())),
        None => query.read().get("test").map(Ok),
    };
    view! {
        <leptos_meta::Title text="Mail settings"/>
        <p class="text-sm"><a href="/settings" class="text-indigo-700 hover:underline">"← Settings"</a></p>
        <h1 class="mt-1 text-2xl font-semibold">"Mail"</h1>
        {move || error().map(|message| view! { <div class="mt-4 max-w-2xl"><ErrorAlert message/></div> })}
        <Show when=saved>
            <p role="status" class="mt-4 max-w-2xl rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
                "Saved. Mail goes out with these settings from now on."
            </p>
        </Show>
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || page.get().map(|result| match result {
                Ok(MailPage { settings, outbox, counts }) => view! {
                    <SettingsForm settings save/>
                    <TestMail test answer=Signal::derive(test_answer)/>
                    <Outbox outbox counts retry/>
                }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn SettingsForm(settings: MailSettings, save: ServerAction<SaveMailSettings>) -> impl IntoView {
    let field_error = move |field: &'static str| {
        save.value().with(|v| match v {
            Some(Err(e)) => e.field_message(field),
            _ => None,
        })
    };
    let error_line = move |field: &'static str| {
        view! {
            <p class="mt-1 text-sm text-red-700">{move || field_error(field)}</p>
        }
    };
    let security = settings.security.clone();
    let option = move |value: &'static str, label: &'static str| {
        let selected = security == value;
        view! { <option value=value selected=selected>{label}</option> }
    };
    let source = if settings.saved {
        "These settings were saved on this page."
    } else {
        "These settings come from the environment (USHER_SMTP_*, USHER_MAIL_FROM, USHER_PUBLIC_URL) until you save them here."
    };
    let file_outbox = settings.host.is_empty();
    view! {
        <section class="mt-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="smtp-title">
            <h2 id="smtp-title" class="text-lg font-semibold">"Sending"</h2>
            <p class="mt-1 text-sm text-slate-600" data-testid="transport">{format!("Mail goes to {}.", settings.transport)}</p>
            {file_outbox.then(|| view! {
                <p class="mt-1 text-sm text-amber-800">"No SMTP server is set: mail is written as .eml files instead of being sent."</p>
            })}
            <p class="mt-1 text-xs text-slate-500">{source}</p>
            <ActionForm action=save attr:class="mt-4 grid grid-cols-1 gap-4 sm:grid-cols-2">
                <div>
                    <label for="mail-host" class=style::LABEL>"SMTP host (empty: file outbox)"</label>
                    <input id="mail-host" name="host" value=settings.host.clone() class=style::INPUT/>
                    {error_line("host")}
                </div>
                <div>
                    <label for="mail-port" class=style::LABEL>"Port"</label>
                    <input id="mail-port" name="port" type="number" min="1" max="65535" value=settings.port.to_string() class=style::INPUT/>
                    {error_line("port")}
                </div>
                <div>
                    <label for="mail-security" class=style::LABEL>"Security"</label>
                    <select id="mail-security" name="security" class=style::INPUT>
                        {option("none", "None")}
                        {option("starttls", "STARTTLS")}
                        {option("tls", "TLS")}
                    </select>
                    {error_line("security")}
                </div>
                <div>
                    <label for="mail-username" class=style::LABEL>"Username"</label>
                    <input id="mail-username" name="username" value=settings.username.clone() autocomplete="off" class=style::INPUT/>
                </div>
                <div class="sm:col-span-2">
                    <label for="mail-password" class=style::LABEL>"Password"</label>
                    <input id="mail-password" name="password" type="password" autocomplete="new-password" class=style::INPUT
                        placeholder=if settings.password_set { "•••••••• (set; leave empty to keep)" } else { "(none)" }/>
                    <label class="mt-1 flex items-center gap-2 text-sm">
                        <input type="checkbox" name="clear_password" value="on"/>"Remove the saved password"
                    </label>
                </div>
                <div>
                    <label for="mail-from-name" class=style::LABEL>"From name"</label>
                    <input id="mail-from-name" name="from_name" value=settings.from_name.clone() class=style::INPUT/>
                    {error_line("from_name")}
                </div>
                <div>
                    <label for="mail-from-address" class=style::LABEL>"From address"</label>
                    <input id="mail-from-address" name="from_address" type="email" required value=settings.from_address.clone() class=style::INPUT/>
                    {error_line("from_address")}
                </div>
                <div class="sm:col-span-2">
                    <label for="mail-public-url" class=style::LABEL>"Public address of Usher"</label>
                    <input id="mail-public-url" name="public_url" required value=settings.public_url.clone() class=style::INPUT
                        aria-describedby="mail-public-url-help"/>
                    <p id="mail-public-url-help" class="mt-1 text-sm text-slate-600">"Every link in mail starts with it; it is never taken from a request."</p>
                    {error_line("public_url")}
                </div>
                <div class="sm:col-span-2">
                    <label for="mail-current-password" class=style::LABEL>"Your current password"</label>
                    <input id="mail-current-password" name="current_password" type="password" autocomplete="current-password" class=style::INPUT
                        aria-describedby="mail-current-password-help"/>
                    <p id="mail-current-password-help" class="mt-1 text-sm text-slate-600">"Needed to change the SMTP host or the public address: either could send password recovery mail elsewhere."</p>
                    {error_line("current_password")}
                </div>
                <div class="sm:col-span-2">
                    <button type="submit" disabled=move || save.pending().get()
                        class=style::PRIMARY>
                        "Save mail settings"
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn TestMail(
    test: ServerAction<SendTestMail>,
    answer: Signal<Option<Result<String, String>>>,
) -> impl IntoView {
    view! {
        <section class="mt-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="test-title">
            <h2 id="test-title" class="text-lg font-semibold">"Send test email"</h2>
            <ActionForm action=test attr:class="mt-3 flex flex-wrap items-end gap-2">
                <div class="grow">
                    <label for="test-to" class=style::LABEL>"To"</label>
                    <input id="test-to" name="to" type="email" required class=style::INPUT/>
                </div>
                <button type="submit" disabled=move || test.pending().get()
                    class=style::SECONDARY>
                    {move || if test.pending().get() { "Sending…" } else { "Send test email" }}
                </button>
            </ActionForm>
            {move || answer.get().map(|result| match result {
                Ok(text) => view! {
                    <p role="status" class="mt-3 rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900" data-testid="test-answer">{text}</p>
                }.into_any(),
                Err(text) => view! { <div class="mt-3"><ErrorAlert message=text/></div> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn Outbox(
    outbox: Vec<OutboxEntry>,
    counts: Vec<(String, u64)>,
    retry: ServerAction<RetryMail>,
) -> impl IntoView {
    let summary = if counts.is_empty() {
        "No mail yet.".to_string()
    } else {
        counts
            .iter()
            .map(|(status, n)| format!("{status}: {n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    view! {
        <section class="mt-6 rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="outbox-title">
            <h2 id="outbox-title" class="text-lg font-semibold">"Outbox"</h2>
            <p class="mt-1 text-sm text-slate-600" data-testid="outbox-counts">{summary}</p>
            <DataTable columns=vec!["Created", "To", "Subject", "Status", "Attempts", "Last error / next try", ""] label="Outbox">
                        {outbox.into_iter().map(|m| {
                            let retryable = m.status == "failed";
                            let detail = match (&m.last_error, m.status.as_str()) {
                                (Some(e), "queued") => format!("{e} (next try {})", short_time(&m.next_attempt_at)),
                                (Some(e), _) => e.clone(),
                                (None, "sent") => m.sent_at.as_deref().map(short_time).unwrap_or_default(),
                                _ => String::new(),
                            };
                            view! {
                                <tr class="align-top">
                                    <td class="px-4 py-2 whitespace-nowrap">{short_time(&m.created_at)}</td>
                                    <td class="px-4 py-2">{m.to}</td>
                                    <td class="px-4 py-2">{m.subject}</td>
                                    <td class="px-4 py-2">{m.status}</td>
                                    <td class="px-4 py-2">{m.attempts}</td>
                                    <td class="px-4 py-2 text-slate-600 break-all">{detail}</td>
                                    <td class="px-4 py-2">
                                        {retryable.then(|| view! {
                                            <ActionForm action=retry>
                                                <input type="hidden" name="id" value=m.id.clone()/>
                                                <button type="submit" class="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100">"Retry now"</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
            </DataTable>
        </section>
    }
}
