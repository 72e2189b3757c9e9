//! `/requests` ("Access requests"): one tab per state, newest first; and
//! `/requests/{id}`, where a reviewer approves (role and groups) or rejects
//! (with a reason mailed to the person).
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::registration::{
    get_access_request, list_access_requests, ApproveRequest, RejectRequest,
};
use crate::api::users::directory_options;
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::pager::{numbered, page_of, Pager};
use crate::components::role_groups::RoleAndGroups;
use crate::components::style;
use crate::components::table::DataTable;
use crate::components::time::short_time;
use crate::error::AppError;
use crate::model::{AccessRequestView, FilterChoices, RequestList, RequestStatus};
use crate::routes::encode_query_value;

#[component]
pub fn RequestsPage() -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| {
        query
            .read()
            .get("status")
            .and_then(|s| RequestStatus::parse(&s))
            .unwrap_or(RequestStatus::Review)
    });
    let page = crate::components::table::page_in_query();
    let list = Resource::new(
        move || (status.get(), page.get()),
        |(status, page)| list_access_requests(status.as_str().to_string(), page),
    );
    view! {
        <leptos_meta::Title text="Access requests"/>
        <h1 class="text-2xl font-semibold">"Access requests"</h1>
        <nav aria-label="Request states" class="mt-4 flex flex-wrap gap-2">
            {RequestStatus::ALL.into_iter().map(|s| {
                let href = format!("/requests?status={}", s.as_str());
                view! {
                    <a href=href
                        aria-current=move || (status.get() == s).then_some("page")
                        class="rounded-full border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 aria-[current=page]:bg-slate-900 aria-[current=page]:text-white">
                        {s.label()}
                    </a>
                }
            }).collect_view()}
        </nav>
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || list.get().map(|result| match result {
                Ok(list) => view! { <Requests list/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Requests(list: RequestList) -> impl IntoView {
    if list.items.is_empty() {
        let message = match list.status {
            RequestStatus::Review => "No requests are waiting for review.",
            _ => "No requests in this state.",
        };
        return view! { <p class="mt-6 text-slate-600" data-testid="empty">{message}</p> }
            .into_any();
    }
    let status = list.status;
    let link = move |page: u64| format!("/requests?status={}&page={page}", status.as_str());
    view! {
        <DataTable columns=vec!["Username", "Name", "Email", "Message", "Registered", "State"] label="Access requests">
            {list.items.into_iter().map(|r| {
                let href = format!("/requests/{}", encode_query_value(&r.id));
                view! {
                    <tr>
                        <td class="px-4 py-2"><a href=href class="font-medium text-indigo-700 hover:underline">{r.username.clone()}</a></td>
                        <td class="px-4 py-2">{format!("{} {}", r.first_name, r.last_name)}</td>
                        <td class="px-4 py-2 break-all">{r.email.clone()}</td>
                        <td class="px-4 py-2 max-w-xs truncate" title=r.message.clone()>{r.message.clone().unwrap_or_default()}</td>
                        <td class="px-4 py-2 whitespace-nowrap">{short_time(&r.created_at)}</td>
                        <td class="px-4 py-2">{r.status.label()}</td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
        {
            let (prev, next) = numbered(list.page, list.total, list.per_page, link);
            view! { <Pager summary=page_of(list.page, list.total, list.per_page, "requests") prev next/> }
        }
    }
    .into_any()
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let approve = ServerAction::<ApproveRequest>::new();
    let reject = ServerAction::<RejectRequest>::new();
    let request = Resource::new(
        move || (id(), approve.version().get(), reject.version().get()),
        |(id, _, _)| get_access_request(id),
    );
    // The approve form's roles and groups: made here, not in the form, as a
    // resource made inside the page's own loaded content does not hydrate
    // (it panicked the browser on a reload of this page).
    let options = Resource::new(|| (), |_| directory_options());
    provide_context(options);
    view! {
        <leptos_meta::Title text="Access request"/>
        <p class="text-sm"><a href="/requests" class="text-indigo-700 hover:underline">"← Access requests"</a></p>
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || request.get().map(|result| match result {
                Ok(request) => view! { <Request request approve reject/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
        {move || approve.value().get().and_then(Result::ok).and_then(|a| a.certificate).map(|issued| view! {
            <crate::components::certificates::PasswordOnce issued/>
        })}
    }
}

#[component]
fn Request(
    request: AccessRequestView,
    approve: ServerAction<ApproveRequest>,
    reject: ServerAction<RejectRequest>,
) -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        approve
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| reject.value().get().and_then(Result::err))
            .map(|e| e.summary())
            .or_else(|| query.read().get("error"))
    };
    let by = format!(
        "by {} on {}",
        request.decided_by.clone().unwrap_or_default(),
        request
            .decided_at
            .as_deref()
            .map(short_time)
            .unwrap_or_default()
    );
    let decided = match request.status {
        RequestStatus::Approved => Some(format!(
            "Approved {by}. {} was mailed how to sign in.",
            request.email
        )),
        RequestStatus::Rejected => Some(format!(
            "Rejected {by}. Reason: {}",
            request.reason.clone().unwrap_or_default()
        )),
        _ => None,
    };
    let can_approve = request.status == RequestStatus::Review;
    let can_reject = matches!(
        request.status,
        RequestStatus::Review | RequestStatus::PendingEmail
    );
    let user_href = format!("/users/{}", encode_query_value(&request.username));
    let row = |term: &'static str, value: String| {
        view! {
            <dt class="text-slate-500">{term}</dt>
            <dd class="break-words">{value}</dd>
        }
    };
    view! {
        <h1 class="mt-1 text-2xl font-semibold">{format!("{} {}", request.first_name, request.last_name)}</h1>
        <p class="mt-1 text-sm text-slate-600" data-testid="request-state">{request.status.label()}</p>
        <dl class="mt-4 grid max-w-2xl grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            <dt class="text-slate-500">"Username"</dt>
            <dd><a href=user_href class="text-indigo-700 hover:underline">{request.username.clone()}</a></dd>
            {row("Email", request.email.clone())}
            {row("Message", request.message.clone().unwrap_or_else(|| "—".into()))}
            {row("Registered", short_time(&request.created_at))}
            {row("Email confirmed", request.confirmed_at.as_deref().map(short_time).unwrap_or_else(|| "Not yet".into()))}
        </dl>
        {decided.map(|text| view! {
            <p role="status" class="mt-6 max-w-2xl rounded-md border border-slate-200 bg-slate-50 px-4 py-3 text-sm" data-testid="decision">{text}</p>
        })}
        {move || error().map(|message| view! { <div class="mt-4 max-w-2xl"><ErrorAlert message/></div> })}
        {can_approve.then(|| view! { <ApproveForm id=request.id.clone() approve/> })}
        {can_reject.then(|| view! { <RejectForm id=request.id.clone() reject/> })}
    }
}

#[component]
fn ApproveForm(id: String, approve: ServerAction<ApproveRequest>) -> impl IntoView {
    let options = expect_context::<Resource<Result<FilterChoices, AppError>>>();
    view! {
        <section class="mt-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="approve-title">
            <h2 id="approve-title" class="text-lg font-semibold">"Approve"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "The person is mailed how to sign in: a link to choose a password, or (when approval issues certificates, see Settings → Certificates) their certificate."
            </p>
            <ActionForm action=approve attr:class="mt-4 space-y-4">
                <input type="hidden" name="id" value=id/>
                <Suspense>
                    {move || options.get().and_then(Result::ok).map(|options| view! {
                        <RoleAndGroups options id="approve"/>
                    })}
                </Suspense>
                <button type="submit" disabled=move || approve.pending().get()
                    class=style::PRIMARY>
                    "Approve request"
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn RejectForm(id: String, reject: ServerAction<RejectRequest>) -> impl IntoView {
    view! {
        <section class="mt-6 max-w-2xl rounded-lg border border-red-200 bg-white p-6" aria-labelledby="reject-title">
            <h2 id="reject-title" class="text-lg font-semibold">"Reject"</h2>
            <ActionForm action=reject attr:class="mt-4 space-y-4">
                <input type="hidden" name="id" value=id/>
                <div>
                    <label for="reject-reason" class="block text-sm font-medium text-slate-700">"Reason (mailed to the person)"</label>
                    <textarea id="reject-reason" name="reason" rows="3" required
                        class=style::INPUT></textarea>
                </div>
                <button type="submit" disabled=move || reject.pending().get()
                    class=style::DANGER>
                    "Reject request"
                </button>
            </ActionForm>
        </section>
    }
}
