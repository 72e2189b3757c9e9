//! Mass actions: `/jobs/new?action=…` confirms with the exact count, then
//! `/jobs/{id}` shows the job's progress bar and its result. The progress
//! page polls while the job runs (and reloads itself without JavaScript).
use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

use crate::api::bulk::{job_progress, preview_bulk_action, StartBulk};
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::style;
use crate::model::bulk::BulkTarget;
use crate::model::page::thousands;
use crate::model::{BulkAction, BulkPreview, BulkRequest, JobStatus, JobView};

#[component]
pub fn BulkConfirmPage() -> impl IntoView {
    let location = use_location();
    let query = use_query_map();
    let request = Memo::new(move |_| BulkRequest::parse(&location.search.get()));
    let preview = Resource::new(
        move || request.get().ok().map(|r| r.to_query_string()),
        |request| async move {
            match request {
                Some(request) => preview_bulk_action(request).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let start = ServerAction::<StartBulk>::new();
    let error = move || {
        start
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.summary())
            .or_else(|| query.read().get("error"))
    };
    view! {
        <leptos_meta::Title text="Confirm mass action"/>
        <h1 class="text-2xl font-semibold">"Mass action"</h1>
        {move || error().map(|message| view! { <div class="mt-4 max-w-xl"><ErrorAlert message/></div> })}
        {move || request.get().err().map(|message| view! {
            <div class="mt-4 max-w-xl space-y-3">
                <ErrorAlert message/>
                <A href="/users" attr:class="text-indigo-700 underline">"Back to users"</A>
            </div>
        })}
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Counting users…"</p> }>
            {move || preview.get().map(|result| match (result, request.get()) {
                (Ok(Some(preview)), Ok(request)) => view! { <Confirm preview request start/> }.into_any(),
                (Err(error), _) => view! { <div class="mt-4"><LoadError error/></div> }.into_any(),
                _ => ().into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Confirm(
    preview: BulkPreview,
    request: BulkRequest,
    start: ServerAction<StartBulk>,
) -> impl IntoView {
    let back = request.back_href();
    if preview.count == 0 {
        return view! {
            <div class="mt-4 max-w-xl space-y-3">
                <p data-testid="bulk-question">"No users match any more; there is nothing to do."</p>
                <A href=back attr:class="text-indigo-700 underline">"Back to users"</A>
            </div>
        }
        .into_any();
    }
    let action = preview.action;
    let phrase = crate::model::bulk::phrase(action, preview.count);
    let more = preview.count.saturating_sub(preview.sample.len() as u64);
    let sample = if more > 0 {
        format!(
            "{} and {} more.",
            preview.sample.join(", "),
            thousands(more)
        )
    } else {
        format!("{}.", preview.sample.join(", "))
    };
    let button = if action.destructive() {
        "rounded-md bg-red-600 px-4 py-2 text-sm font-semibold text-white hover:bg-red-500"
    } else {
        "rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
    };
    let choice = action.target().map(|kind| {
        let label = match kind {
            BulkTarget::Role => "Role",
            BulkTarget::Group => "Group",
        };
        view! {
            <div>
                <label for="bulk-target" class="block text-sm font-medium text-slate-700">{label}</label>
                <select id="bulk-target" name="target" required class=style::INPUT>
                    <option value="">"Choose…"</option>
                    {preview.choices.iter().map(|(id, name)| view! {
                        <option value=id.clone()>{name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    });
    let effects = side_effects(action, preview.certificates);
    let skipped = skipped_sentence(action, &preview.refused);
    view! {
        <div class="mt-4 max-w-xl rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            <h2 class="text-lg font-semibold" data-testid="bulk-question">{format!("{phrase}?")}</h2>
            <p class="mt-2 text-sm text-slate-600">{sample}</p>
            <ActionForm action=start attr:class="mt-4 space-y-4">
                <input type="hidden" name="request" value=request.to_query_string()/>
                {choice}
                {effects.map(|text| view! { <p class="text-sm text-red-800" data-testid="bulk-effects">{text}</p> })}
                {skipped.map(|text| view! { <p class="text-sm text-slate-600" data-testid="bulk-skipped">{text}</p> })}
                <div class="flex items-center gap-3">
                    <button type="submit" class=button>{phrase}</button>
                    <A href=back attr:class="text-sm text-slate-700 underline">"Cancel"</A>
                </div>
            </ActionForm>
        </div>
    }
    .into_any()
}

/// What cannot be undone, said before it happens.
fn side_effects(action: BulkAction, certificates: u64) -> Option<String> {
    let lost = crate::model::certificates_lost(certificates);
    match action {
        BulkAction::Deactivate => Some(format!(
            "They are signed out everywhere and cannot sign in until activated again.{lost}"
        )),
        BulkAction::Delete => Some(format!(
            "Their accounts, sessions and memberships are removed. This cannot be undone.{lost}"
        )),
        _ => None,
    }
}

/// Who is left out, and why: exactly the refusals the run will apply.
fn skipped_sentence(action: BulkAction, refused: &[(String, u64)]) -> Option<String> {
    let mut parts: Vec<String> = refused
        .iter()
        .map(|(reason, n)| format!("{} ({reason})", thousands(*n)))
        .collect();
    // Decided per user as the job runs, so only said where it can apply.
    if matches!(
        action,
        BulkAction::Deactivate | BulkAction::Delete | BulkAction::SetRole
    ) {
        parts.push("the last active administrator, if selected".into());
    }
    (!parts.is_empty()).then(|| format!("Skipped: {}.", parts.join("; ")))
}

#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let tick = RwSignal::new(0u64);
    let job = Resource::new(move || (id(), tick.get()), |(id, _)| job_progress(id));
    // In the browser: ask again shortly while the job is still going.
    Effect::new(move |_| {
        if let Some(Ok(job)) = job.get() {
            if !job.status.finished() {
                set_timeout(move || tick.update(|t| *t += 1), Duration::from_millis(400));
            }
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || job.get().map(|result| match result {
                Ok(job) => view! { <JobProgress job/> }.into_any(),
                Err(error) => view! { <LoadError error/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn JobProgress(job: JobView) -> impl IntoView {
    let running = !job.status.finished();
    let counts = format!(
        "{} of {} users · {}%",
        thousands(job.processed),
        thousands(job.total),
        job.percent()
    );
    let result = match job.status {
        JobStatus::Done => Some(view! {
            <div role="status" data-testid="job-result" class="mt-4 rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
                {format!("Done: {} changed, {} skipped.", thousands(job.changed), thousands(job.skipped))}
            </div>
        }.into_any()),
        JobStatus::Failed => Some(view! {
            <div class="mt-4 space-y-2" data-testid="job-result">
                <ErrorAlert message=job.error.clone().unwrap_or_else(|| "The job failed.".into())/>
                <p class="text-sm">{format!("{} changed and {} skipped before it stopped.", thousands(job.changed), thousands(job.skipped))}</p>
            </div>
        }.into_any()),
        _ => None,
    };
    let reasons = (!job.reasons.is_empty()).then(|| {
        view! {
            <div class="mt-4">
                <h2 class="text-sm font-semibold text-slate-700">"Skipped, and why"</h2>
                <ul class="mt-1 list-disc pl-6 text-sm text-slate-700" data-testid="job-reasons">
                    {job.reasons.iter().map(|(reason, n)| view! {
                        <li>{format!("{}: {reason}", thousands(*n))}</li>
                    }).collect_view()}
                </ul>
            </div>
        }
    });
    view! {
        <leptos_meta::Title text=job.title.clone()/>
        {running.then(|| view! { <noscript inner_html=r#"<meta http-equiv="refresh" content="1">"#></noscript> })}
        <h1 class="text-2xl font-semibold">{job.title.clone()}</h1>
        <p class="mt-1 text-sm text-slate-600">
            {format!("Started by {} at {} (UTC).", job.created_by, crate::components::time::short_time(&job.created_at))}
        </p>
        <div class="mt-6 max-w-xl">
            <progress class="h-3 w-full" aria-label="Progress" data-testid="job-progress"
                max=job.total.max(1).to_string() value=job.processed.to_string()></progress>
            <p class="mt-1 text-sm text-slate-700" data-testid="job-counts">{counts}</p>
            {running.then(|| view! {
                <p class="mt-2 text-sm text-slate-600" aria-live="polite">
                    {if job.status == JobStatus::Queued { "Waiting to start…" } else { "Working in batches… You can leave this page; the job goes on." }}
                </p>
            })}
            {result}
            {reasons}
            <p class="mt-6"><A href=job.back_href.clone() attr:class="text-indigo-700 underline">"Back to users"</A></p>
        </div>
    }
}
