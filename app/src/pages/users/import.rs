//! `/users/import` and `/users/import/{id}`: the import wizard. Upload (a
//! plain multipart form), map the columns, see the dry run, apply as a job
//! with a progress bar, then the counts and the error report. Every step is
//! kept on the server, so a reload (or another admin) sees the same step.
use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::import::{import_status, ApplyImport, MapImport};
use crate::components::alert::{ErrorAlert, LoadError};
use crate::components::style;
use crate::components::table::DataTable;
use crate::model::import::PREVIEW_PAGE;
use crate::model::page::thousands;
use crate::model::{ImportField, ImportStage, ImportView, Outcome, OutcomeCounts, RowReport};

/// The four steps, with the current one marked.
#[component]
fn Stepper(current: usize) -> impl IntoView {
    let steps = ["Upload", "Map columns", "Preview", "Apply"];
    view! {
        <ol class="mt-4 flex flex-wrap gap-2 text-sm" aria-label="Import steps">
            {steps.iter().enumerate().map(|(i, name)| {
                let (class, mark) = if i == current {
                    ("rounded-full bg-indigo-600 px-3 py-1 font-semibold text-white", Some("step"))
                } else if i < current {
                    ("rounded-full bg-indigo-100 px-3 py-1 text-indigo-800", None)
                } else {
                    ("rounded-full bg-slate-100 px-3 py-1 text-slate-600", None)
                };
                view! { <li class=class aria-current=mark>{format!("{}. {name}", i + 1)}</li> }
            }).collect_view()}
        </ol>
    }
}

#[component]
pub fn ImportUploadPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error");
    view! {
        <leptos_meta::Title text="Import users"/>
        <p class="text-sm"><a href="/users" class="text-indigo-700 hover:underline">"← Users"</a></p>
        <h1 class="mt-1 text-2xl font-semibold">"Import users"</h1>
        <Stepper current=0/>
        {move || error().map(|message| view! { <div class="mt-4 max-w-2xl" data-testid="import-error"><ErrorAlert message/></div> })}
        <div class="mt-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            <p class="text-sm text-slate-700">
                "A CSV file with a header row, up to 50 MB, in UTF-8 (with or without a byte-order mark), \
                 separated by commas or semicolons. Columns: username and email (required), first_name, \
                 last_name, phone, role, groups (separated by |), status, origin (internal or external), \
                 and optionally password, must_change_password, send_invitation and issue_certificate (yes/no). \
                 Nothing changes until you have seen the preview and chosen to apply."
            </p>
            <p class="mt-2 text-sm">
                <a href="/import/template.csv" download rel="external" class=style::LINK data-testid="import-template">"Download template"</a>
                " (the header and two example rows)"
            </p>
            <form method="post" action="/import/upload" enctype="multipart/form-data" class="mt-4 space-y-4">
                <div>
                    <label for="import-file" class="block text-sm font-medium text-slate-700">"CSV file"</label>
                    <input id="import-file" type="file" name="file" accept=".csv,text/csv" required
                        class="mt-1 block w-full text-sm" data-testid="import-file"/>
                </div>
                <button type="submit" class=style::PRIMARY>"Upload and map columns"</button>
            </form>
        </div>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let filter = move || query.read().get("filter");
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<usize>().ok())
    };
    let tick = RwSignal::new(0u64);
    let import = Resource::new(
        move || (id(), filter(), page(), tick.get()),
        |(id, filter, page, _)| import_status(id, filter, page),
    );
    let map = ServerAction::<MapImport>::new();
    provide_context(map);
    let apply = ServerAction::<ApplyImport>::new();
    // After a step, read the import again.
    Effect::new(move |_| {
        if map.version().get() + apply.version().get() > 0 {
            tick.update(|t| *t += 1);
        }
    });
    // While the job runs, ask again every half second.
    Effect::new(move |_| {
        if let Some(Ok(view)) = import.get() {
            if view.stage == ImportStage::Applying {
                set_timeout(move || tick.update(|t| *t += 1), Duration::from_millis(500));
            }
        }
    });
    let error = move || {
        map.value()
            .get()
            .and_then(Result::err)
            .or_else(|| apply.value().get().and_then(Result::err))
            .map(|e| e.summary())
            .or_else(|| query.read().get("error"))
    };
    view! {
        <leptos_meta::Title text="Import users"/>
        <p class="text-sm"><a href="/users" class="text-indigo-700 hover:underline">"← Users"</a></p>
        <h1 class="mt-1 text-2xl font-semibold">"Import users"</h1>
        {move || error().map(|message| view! { <div class="mt-4 max-w-2xl" data-testid="import-error"><ErrorAlert message/></div> })}
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading the import…"</p> }>
            {move || import.get().map(|result| match result {
                Ok(view) => view! { <Wizard view map apply/> }.into_any(),
                Err(error) => view! { <div class="mt-4"><LoadError error/></div> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Wizard(
    view: ImportView,
    map: ServerAction<MapImport>,
    apply: ServerAction<ApplyImport>,
) -> impl IntoView {
    let step = match view.stage {
        ImportStage::Mapping => 1,
        ImportStage::Preview => 2,
        _ => 3,
    };
    let intro = format!("{} · {} rows", view.file_name, thousands(view.rows));
    let body = match view.stage {
        ImportStage::Mapping => view! { <Mapping view=view.clone() map open=true/> }.into_any(),
        ImportStage::Preview => view! {
            <div>
                <Preview view=view.clone() apply/>
                <Mapping view=view.clone() map open=false/>
            </div>
        }
        .into_any(),
        _ => view! { <Progress view=view.clone()/> }.into_any(),
    };
    view! {
        <div>
            <Stepper current=step/>
            <p class="mt-3 text-sm text-slate-600" data-testid="import-file-name">{intro}</p>
            {body}
        </div>
    }
}

#[component]
fn Mapping(view: ImportView, map: ServerAction<MapImport>, open: bool) -> impl IntoView {
    let rows = view
        .headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let chosen = view.mapping.get(i).cloned().unwrap_or_default();
            let sample = view.sample.get(i).cloned().unwrap_or_default();
            let select_id = format!("column-{i}");
            let ignore_selected = chosen.is_empty();
            view! {
                <tr>
                    <td class="px-3 py-2"><label for=select_id.clone() class="font-medium">{header.clone()}</label></td>
                    <td class="px-3 py-2 text-slate-500">{sample}</td>
                    <td class="px-3 py-2">
                        <select id=select_id name="columns[]" data-testid=format!("map-{header}")
                            class=style::COMPACT_INPUT>
                            <option value=format!("{i}:") selected=ignore_selected>"(ignore this column)"</option>
                            {ImportField::ALL.iter().map(|f| view! {
                                <option value=format!("{i}:{}", f.as_str()) selected=chosen == f.as_str()>{f.label()}</option>
                            }).collect_view()}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let form = view! {
        <ActionForm action=map attr:class="mt-4 space-y-4">
            <input type="hidden" name="id" value=view.id.clone()/>
            <DataTable columns=vec!["Column in the file", "First row", "Imported as"] label="Column mapping">
                {rows}
            </DataTable>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" name="create_groups" value="on" checked=view.create_groups data-testid="create-groups"/>
                "Create missing groups (otherwise an unknown group is an error)"
            </label>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" name="invite_unreachable" value="on" checked=view.invite_unreachable data-testid="invite-unreachable"/>
                "Invite new active users who would have no way to sign in (no password, invitation or certificate)"
            </label>
            <button type="submit" class=style::PRIMARY data-testid="import-preview">"Preview"</button>
            <p class="text-xs text-slate-500">"The preview is a dry run over the whole file: nothing changes yet."</p>
        </ActionForm>
    };
    if open {
        view! {
            <section class="mt-4 max-w-3xl rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
                <h2 class="text-lg font-semibold">"Map the columns"</h2>
                <p class="mt-1 text-sm text-slate-600">"Columns were matched by their names; fix any that are wrong. Username and email are required."</p>
                {form}
            </section>
        }
        .into_any()
    } else {
        view! {
            <details class="mt-6 max-w-3xl rounded-lg border border-slate-200 bg-white p-4">
                <summary class="cursor-pointer text-sm font-medium">"Change the column mapping"</summary>
                {form}
            </details>
        }
        .into_any()
    }
}

fn badge(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Create => ("Create", "bg-green-100 text-green-800"),
        Outcome::Update => ("Update", "bg-blue-100 text-blue-800"),
        Outcome::Unchanged => ("Unchanged", "bg-slate-100 text-slate-700"),
        Outcome::Error => ("Error", "bg-red-100 text-red-800"),
    }
}

#[component]
fn Preview(view: ImportView, apply: ServerAction<ApplyImport>) -> impl IntoView {
    let counts = view.preview.clone().unwrap_or_default();
    let base = format!("/users/import/{}", view.id);
    let filters = {
        let base = base.clone();
        let current = view.filter;
        let all_class = if current.is_none() {
            "font-semibold underline"
        } else {
            ""
        };
        view! {
            <nav class="mt-4 flex flex-wrap items-center gap-3 text-sm" aria-label="Filter the preview" data-testid="preview-counts">
                <a href=base.clone() class=all_class>{format!("All {}", thousands(counts.total()))}</a>
                {Outcome::ALL.into_iter().map(|o| {
                    let (label, colour) = badge(o);
                    let selected = current == Some(o);
                    let class = format!("rounded-full px-3 py-1 {colour} {}", if selected { "ring-2 ring-indigo-500" } else { "" });
                    view! {
                        <a href=format!("{base}?filter={}", o.as_str()) class=class data-testid=format!("count-{}", o.as_str())
                            aria-current=selected.then_some("true")>
                            {format!("{label}: {}", thousands(counts.of(o)))}
                        </a>
                    }
                }).collect_view()}
            </nav>
        }
    };
    let filter_q = view
        .filter
        .map(|f| format!("filter={}&", f.as_str()))
        .unwrap_or_default();
    let prev =
        (view.page_number > 0).then(|| format!("{base}?{filter_q}page={}", view.page_number - 1));
    let next = view
        .has_next
        .then(|| format!("{base}?{filter_q}page={}", view.page_number + 1));
    let shown = format!(
        "Rows {}–{}",
        view.page_number * PREVIEW_PAGE + 1,
        view.page_number * PREVIEW_PAGE + view.page.len()
    );
    let report = (counts.error > 0).then(|| {
        view! {
            <a href=format!("/import/{}/errors.csv", view.id) download rel="external" class=style::LINK data-testid="error-report">
                {format!("Download error report ({} rows)", thousands(counts.error))}
            </a>
        }
    });
    let valid = counts.create + counts.update;
    let empty = view.page.is_empty();
    let unreachable = (counts.warnings > 0)
        .then(|| view! { <CannotSignIn view=view.clone() n=counts.warnings/> });
    view! {
        <section class="mt-4">
            <h2 class="text-lg font-semibold">"Preview"</h2>
            {unreachable}
            {filters}
            <DataTable columns=vec!["Row", "Username", "Email", "Outcome", "Details"] label="Preview" testid="preview-table">
                {view.page.iter().map(|r| view! { <PreviewRow row=r.clone()/> }).collect_view()}
            </DataTable>
            {empty.then(|| view! { <p class="p-4 text-sm text-slate-500">"No rows with this outcome."</p> })}
            <crate::components::pager::Pager summary=shown prev next/>
            <p class="mt-3 text-sm">{report}</p>
            <ActionForm action=apply attr:class="mt-6 max-w-2xl space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
                <input type="hidden" name="id" value=view.id.clone()/>
                <h3 class="font-semibold">"Apply"</h3>
                <label class="flex items-start gap-2 text-sm">
                    <input type="radio" name="mode" value="valid" checked=true/>
                    <span>{format!("Apply valid rows: {} to create, {} to update; rows with errors are left out and listed in the error report.", thousands(counts.create), thousands(counts.update))}</span>
                </label>
                <label class="flex items-start gap-2 text-sm">
                    <input type="radio" name="mode" value="strict" data-testid="mode-strict"/>
                    <span>"Apply only if there are no errors: nothing changes while any row has one."</span>
                </label>
                <button type="submit" class=style::PRIMARY data-testid="import-apply" disabled=valid == 0>
                    {format!("Apply {} rows", thousands(valid))}
                </button>
            </ActionForm>
        </section>
    }
}

/// New active users nobody could sign in to: said before anything is
/// applied, with "Invite them instead" (the same mapping, run again with
/// the switch on).
#[component]
fn CannotSignIn(view: ImportView, n: u64) -> impl IntoView {
    let map = expect_context::<ServerAction<MapImport>>();
    let users = if n == 1 { "1 new user" } else { "new users" };
    let text = if n == 1 {
        format!("{users} could not sign in: the row sets no password, no send_invitation and no issue_certificate.")
    } else {
        format!("{} {users} could not sign in: their rows set no password, no send_invitation and no issue_certificate.", thousands(n))
    };
    view! {
        <div role="alert" data-testid="cannot-sign-in" class="mt-3 max-w-3xl rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
            <p>{text}</p>
            <ActionForm action=map attr:class="mt-2">
                <input type="hidden" name="id" value=view.id.clone()/>
                {view.mapping.iter().enumerate().map(|(i, field)| view! {
                    <input type="hidden" name="columns[]" value=format!("{i}:{field}")/>
                }).collect_view()}
                {view.create_groups.then(|| view! { <input type="hidden" name="create_groups" value="on"/> })}
                <input type="hidden" name="invite_unreachable" value="on"/>
                <button type="submit" class=style::PRIMARY>"Invite them instead"</button>
            </ActionForm>
        </div>
    }
}

#[component]
fn PreviewRow(row: RowReport) -> impl IntoView {
    let (label, colour) = badge(row.outcome);
    let details = if row.outcome == Outcome::Error {
        row.errors
            .iter()
            .map(|e| format!("{}: {}", e.column, e.reason))
            .collect::<Vec<_>>()
    } else {
        row.changes
            .iter()
            .map(|c| format!("{}: {} → {}", c.field, c.before, c.after))
            .collect()
    };
    view! {
        <tr class="border-t border-slate-100 align-top" data-testid="preview-row">
            <td class="px-3 py-2 tabular-nums">{row.row}</td>
            <td class="px-3 py-2">{row.username.clone()}</td>
            <td class="px-3 py-2">{row.email.clone()}</td>
            <td class="px-3 py-2"><span class=format!("rounded-full px-2 py-0.5 text-xs {colour}")>{label}</span></td>
            <td class="px-3 py-2 text-slate-700">
                <ul>{details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
                <ul class="text-amber-800" data-testid="row-warnings">
                    {row.warnings.iter().map(|w| view! { <li>{format!("{}: {}", w.column, w.reason)}</li> }).collect_view()}
                </ul>
            </td>
        </tr>
    }
}

fn counts_line(c: &OutcomeCounts) -> String {
    format!(
        "Created {}, updated {}, unchanged {}, failed {}.",
        thousands(c.create),
        thousands(c.update),
        thousands(c.unchanged),
        thousands(c.error)
    )
}

#[component]
fn Progress(view: ImportView) -> impl IntoView {
    let job = view.job.clone();
    let (processed, total) = job
        .as_ref()
        .map(|j| (j.processed, j.total))
        .unwrap_or((0, view.rows));
    let applied = view.applied.clone().unwrap_or_default();
    let running = view.stage == ImportStage::Applying;
    let speed = match (view.rate, view.eta_seconds) {
        (Some(rate), Some(eta)) => {
            format!(" · {} rows/s · about {eta} s left", thousands(rate as u64))
        }
        _ => String::new(),
    };
    let result = match view.stage {
        ImportStage::Done => Some(view! {
            <div role="status" data-testid="import-result" class="mt-4 rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-900">
                {format!("Import finished. {}", counts_line(&applied))}
            </div>
        }.into_any()),
        ImportStage::Failed => Some(view! {
            <div class="mt-4 space-y-2" data-testid="import-result">
                <ErrorAlert message=job.as_ref().and_then(|j| j.error.clone()).unwrap_or_else(|| "The import stopped.".into())/>
                <p class="text-sm">{format!("Before it stopped: {}", counts_line(&applied))}</p>
            </div>
        }.into_any()),
        _ => None,
    };
    let report = (!running && (applied.error > 0 || view.stage == ImportStage::Failed)).then(|| view! {
        <p class="mt-3 text-sm">
            <a href=format!("/import/{}/errors.csv", view.id) download rel="external" class=style::LINK data-testid="error-report">"Download error report"</a>
            " — the rows that were not applied, with an error column; fix them and upload the file again."
        </p>
    });
    let passwords = (view.certificate_passwords && !running).then(|| view! {
        <p class="mt-3 text-sm">
            <form method="post" action=format!("/import/{}/certificate-passwords.csv", view.id) class="inline">
                <button type="submit" class=style::LINK>"Download certificate passwords"</button>
            </form>
            " — the PKCS#12 passwords of the certificates mailed; this works once, and they are stored nowhere else."
        </p>
    });
    view! {
        {running.then(|| view! { <noscript inner_html=r#"<meta http-equiv="refresh" content="1">"#></noscript> })}
        <section class="mt-4 max-w-2xl">
            <h2 class="text-lg font-semibold">{if running { "Applying…" } else { "Result" }}</h2>
            <progress class="mt-3 h-3 w-full" aria-label="Import progress" data-testid="import-progress"
                max=total.max(1).to_string() value=processed.to_string()></progress>
            <p class="mt-1 text-sm text-slate-700" data-testid="import-counts">
                {format!("{} of {} rows{speed}", thousands(processed), thousands(total))}
            </p>
            {running.then(|| view! {
                <p class="mt-2 text-sm text-slate-600" aria-live="polite">"Rows are applied in batches. You can leave this page; the import goes on."</p>
            })}
            {result}
            {report}
            {passwords}
            <p class="mt-6 flex gap-4 text-sm">
                <A href="/users/import" attr:class=style::LINK>"Import another file"</A>
                <A href="/users" attr:class=style::LINK>"Back to users"</A>
            </p>
        </section>
    }
}
