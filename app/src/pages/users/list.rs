use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_location, use_navigate};

use super::columns::{ColumnChooser, TableView};
use super::filters::SearchAndFilters;
use crate::api::users::list_users;
use crate::components::alert::LoadError;
use crate::components::style;
use crate::components::table::DataTable;
use crate::model::page::{thousands, PAGE_SIZES};
use crate::model::user_query::{Cursor, SortKey};
use crate::model::{BulkAction, UserPage, UserQuery, UserSummary};

/// `/users`: the directory. Search, filters, sort and page live in the URL;
/// the first load is server-rendered, later changes fetch only the data.
#[component]
pub fn UsersPage() -> impl IntoView {
    let location = use_location();
    let search = Memo::new(move |_| location.search.get());
    let query = Memo::new(move |_| UserQuery::parse(&search.get()));
    let users = Resource::new(move || search.get(), list_users);
    let auth_user = crate::auth_state::use_auth().user;
    let can = move |p| auth_user.get().flatten().is_some_and(|u| u.can(p));
    let can_write = move || can(crate::model::Permission::UsersWrite);
    // Which mass actions the signed-in person may start (none: no checkboxes).
    let actions = move || {
        crate::model::BulkAction::ALL
            .into_iter()
            .filter(|a| can(a.permission()))
            .collect::<Vec<_>>()
    };
    let export = super::export::ExportState::new();
    provide_context(export);
    let selection = Selection::new();
    provide_context(selection);
    let owner = Signal::derive(move || auth_user.get().flatten().map(|u| u.username));
    let table_view = TableView::new(owner);
    provide_context(table_view);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let address = leptos_router::hooks::use_query_map();
    let deleted = move || {
        address
            .read()
            .get("deleted")
            .map(|who| format!("{who} was deleted."))
    };
    // Ticks survive paging and sorting, not a new search or filter.
    let filters = Memo::new(move |_| query.get().filters_only().to_query_string());
    Effect::new(move |last: Option<String>| {
        let now = filters.get();
        if last.is_some_and(|l| l != now) {
            selection.clear();
        }
        now
    });
    let export_href = move |bom: bool| {
        let filters = query.get().filters_only().to_query_string();
        let bom = if bom { "&bom=1" } else { "" };
        format!("/export/users.csv?{filters}{bom}")
    };
    view! {
        <leptos_meta::Title text="Users"/>
        <div class="flex flex-wrap items-center justify-between gap-4">
            <h1 class="text-2xl font-semibold">"Users"</h1>
            <div class="flex flex-wrap gap-2">
            <Show when=move || can(crate::model::Permission::UsersExport)>
                <details class="relative">
                    <summary class="cursor-pointer list-none rounded-md border border-slate-300 px-4 py-2 text-sm hover:bg-slate-100">"Export"</summary>
                    <div class="absolute right-0 z-10 mt-1 w-64 rounded-md border border-slate-200 bg-white p-2 text-sm shadow">
                        <p class="px-2 py-1 text-xs text-slate-500">"The users matching the current search and filters, as CSV."</p>
                        // With JavaScript the page fetches the file itself, to show progress.
                        <a href=move || export_href(false) download rel="external" data-testid="export-csv"
                            on:click=move |ev| { ev.prevent_default(); super::export::close_menu(&ev); export.start(export_href(false)); }
                            class="block rounded px-2 py-1.5 hover:bg-slate-100">"CSV (UTF-8)"</a>
                        <a href=move || export_href(true) download rel="external"
                            on:click=move |ev| { ev.prevent_default(); super::export::close_menu(&ev); export.start(export_href(true)); }
                            class="block rounded px-2 py-1.5 hover:bg-slate-100">"CSV for Excel (UTF-8 with BOM)"</a>
                    </div>
                </details>
            </Show>
            // The chooser needs the browser (it is remembered there).
            <div class:hidden=move || !hydrated.get()>
                <ColumnChooser view=table_view/>
            </div>
            <Show when=move || can(crate::model::Permission::UsersImport)>
                <A href="/users/import" attr:class=style::SECONDARY>"Import"</A>
            </Show>
            <Show when=move || can_write()>
                <div class="flex gap-2">
                    <A href="/users/invite" attr:class="rounded-md border border-indigo-300 px-4 py-2 text-sm font-semibold text-indigo-700 hover:bg-indigo-50">
                        "Invite users"
                    </A>
                    <A href="/users/new" attr:class=style::PRIMARY>
                        "Add user"
                    </A>
                </div>
            </Show>
            </div>
        </div>
        {move || deleted().map(|text| view! {
            <p role="status" data-testid="notice" class="mt-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800">{text}</p>
        })}
        <super::export::ExportStatus state=export/>
        {move || view! { <SearchAndFilters query=query.get()/> }}
        <Transition fallback=|| view! { <p class="mt-4 text-slate-500">"Loading users…"</p> }>
            {move || users.get().map(|result| match result {
                Ok(page) => view! {
                    <UsersTable page query=query.get_untracked() actions=actions()
                        can_export=can(crate::model::Permission::UsersExport)/>
                }.into_any(),
                Err(error) => view! { <div class="mt-4"><LoadError error/></div> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn UsersTable(
    page: UserPage,
    query: UserQuery,
    actions: Vec<BulkAction>,
    can_export: bool,
) -> impl IntoView {
    let showing = page.showing();
    let export = expect_context::<super::export::ExportState>();
    let UserPage {
        page,
        has_next,
        total_is_floor,
    } = page;
    if page.items.is_empty() {
        let message = if query.has_filters() {
            "No users match this search and these filters."
        } else if page.total == 0 {
            "No users yet."
        } else {
            "This page is empty."
        };
        return view! { <p class="mt-6 text-slate-600" data-testid="empty">{message}</p> }
            .into_any();
    }
    let first_seq = page.items.first().map(|u| u.seq);
    let last_seq = page.items.last().map(|u| u.seq);
    let next = has_next.then(|| UserQuery {
        page: query.page + 1,
        cursor: last_seq.map(Cursor::After),
        ..query.clone()
    });
    let prev = (query.page > 1).then(|| UserQuery {
        page: query.page - 1,
        cursor: if query.page == 2 {
            None
        } else {
            first_seq.map(Cursor::Before)
        },
        ..query.clone()
    });
    let selectable = !actions.is_empty();
    let filters = query.filters_only();
    let sort_query = query.clone();
    let selection = expect_context::<Selection>();
    let table_view = expect_context::<TableView>();
    let total = page.total;
    let matching = if total_is_floor {
        format!("Select all matching (more than {})", thousands(total))
    } else {
        format!("Select all {} matching", thousands(total))
    };
    let on_page: Vec<i64> = page.items.iter().map(|u| u.seq).collect();
    // Ticked on other pages: sent along as hidden fields.
    let elsewhere = {
        let on_page = on_page.clone();
        move || {
            selection
                .rows
                .get()
                .into_iter()
                .filter(|seq| !on_page.contains(seq))
                .map(|seq| view! { <input type="hidden" name="id" value=seq.to_string()/> })
                .collect_view()
        }
    };
    let page_ticked = {
        let on_page = on_page.clone();
        move || {
            selection.all.get()
                || selection
                    .rows
                    .with(|r| !on_page.is_empty() && on_page.iter().all(|s| r.contains(s)))
        }
    };
    let tick_page = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selection.rows.update(|r| {
            for seq in &on_page {
                if on {
                    r.insert(*seq);
                } else {
                    r.remove(seq);
                }
            }
        });
    };
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let summary = move || {
        if selection.all.get() {
            Some(if total_is_floor {
                format!("All matching selected (more than {})", thousands(total))
            } else {
                format!("All {} matching selected", thousands(total))
            })
        } else {
            let n = selection.rows.with(|r| r.len());
            (n > 0).then(|| format!("{n} selected"))
        }
    };
    let cannot_apply = move || {
        hydrated.get()
            && (selection.action.with(String::is_empty)
                || (!selection.all.get() && selection.rows.with(|r| r.is_empty())))
    };
    let toolbar = selectable.then(|| view! {
                    <div class="sticky left-0 flex flex-wrap items-center gap-3 border-b border-slate-200 bg-slate-50 px-4 py-2 text-sm">
                        <label for="bulk-action" class="font-medium text-slate-700">"Mass action"</label>
                        <select id="bulk-action" name="action" required class=style::COMPACT_INPUT
                            on:change=move |ev| selection.action.set(event_target_value(&ev))>
                            <option value="">"Choose…"</option>
                            {actions.iter().map(|a| view! { <option value=a.as_str()>{a.label()}</option> }).collect_view()}
                        </select>
                        <label class="inline-flex items-center gap-1.5">
                            <input type="checkbox" name="all" value="1" class="h-4 w-4"
                                prop:checked=move || selection.all.get()
                                on:change=move |ev| selection.all.set(event_target_checked(&ev))/>
                            {matching}
                        </label>
                        <button type="submit" disabled=cannot_apply
                            title=move || cannot_apply().then_some("Choose an action and tick users (or all matching) first.")
                            class="rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-50">"Apply…"</button>
                        {can_export.then(|| view! {
                            // Without JavaScript the browser sends the form (ticked
                            // rows, "all", the filters) to the export; with it, the
                            // same address is built here, past the router.
                            <button type="submit" formaction="/export/users.csv" formmethod="get" formnovalidate
                                data-testid="export-selected" on:click=move |ev| export_selected(ev, export)
                                class="rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">"Export selected"</button>
                        })}
                        {move || summary().map(|text| view! {
                            <span class="inline-flex items-center gap-2" data-testid="selected">
                                <strong class="font-semibold text-indigo-800" aria-live="polite">{text}</strong>
                                <button type="button" on:click=move |_| selection.clear()
                                    class="text-indigo-700 underline">"Clear selection"</button>
                            </span>
                        })}
                    </div>
                });
    let toolbar = toolbar.into_any();
    let head = view! {
                            {selectable.then(|| view! {
                                <th scope="col" class="w-10 px-3 py-3">
                                    <input type="checkbox" aria-label="Select all on this page" class="h-4 w-4"
                                        prop:checked=page_ticked.clone() disabled=move || selection.all.get()
                                        on:change=tick_page/>
                                </th>
                            })}
                            <SortHeader label="Username" key=Some(SortKey::Username) query=sort_query.clone()
                                class="sticky left-0 z-10 bg-slate-50"/>
                            {move || table_view.shown.get().into_iter().map(|c| {
                                let class = c.cell_class(false).replace("py-2", "py-3");
                                view! { <SortHeader label=c.label() key=c.sort() query=sort_query.clone() class/> }
                            }).collect_view()}
    }
    .into_any();
    view! {
        <Form method="GET" action="/jobs/new" attr:class="mt-4" attr:aria-label="Mass actions">
            <HiddenFilters query=filters/>
            {elsewhere}
            <DataTable tall=true label="Users" toolbar=toolbar head=head>
                {page.items.into_iter().map(|user| view! { <UserRow user selectable/> }).collect_view()}
            </DataTable>
        </Form>
        <UsersPager query showing prev next/>
    }
    .into_any()
}

/// The users ticked for a mass action, kept while paging: rows by `seq`,
/// or all matching the filters; and the chosen action.
#[derive(Clone, Copy)]
struct Selection {
    rows: RwSignal<std::collections::BTreeSet<i64>>,
    all: RwSignal<bool>,
    action: RwSignal<String>,
}

impl Selection {
    fn new() -> Self {
        Selection {
            rows: RwSignal::new(Default::default()),
            all: RwSignal::new(false),
            action: RwSignal::new(String::new()),
        }
    }

    fn clear(&self) {
        self.rows.set(Default::default());
        self.all.set(false);
    }
}

/// "Export selected" in the browser: the ticked rows (or, with "Select all
/// matching", the filter) as the export's address.
#[allow(unused_variables)]
fn export_selected(ev: leptos::ev::MouseEvent, export: super::export::ExportState) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        ev.prevent_default();
        let Ok(list) = document().query_selector_all(
            "input[name='id']:checked, input[name='all']:checked, form[aria-label='Mass actions'] input[type='hidden']",
        ) else {
            return;
        };
        let mut pairs = Vec::new();
        for i in 0..list.length() {
            if let Some(input) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                pairs.push(format!(
                    "{}={}",
                    input.name(),
                    crate::routes::encode_query_value(&input.value())
                ));
            }
        }
        if !pairs.iter().any(|p| p.starts_with("id=") || p == "all=1") {
            let _ = window().alert_with_message("Tick the users to export first.");
            return;
        }
        export.start(format!("/export/users.csv?{}", pairs.join("&")));
    }
}

#[component]
fn SortHeader(
    label: &'static str,
    key: Option<SortKey>,
    query: UserQuery,
    #[prop(into, default = "px-4 py-3".into())] class: String,
) -> impl IntoView {
    let Some(key) = key else {
        return view! { <th scope="col" class=class>{label}</th> }.into_any();
    };
    let active = query.sort == key;
    let aria = match (active, query.descending) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let arrow = match (active, query.descending) {
        (false, _) => "",
        (true, false) => " ▲",
        (true, true) => " ▼",
    };
    let href = query.sorted_by(key).href();
    view! {
        <th scope="col" class=format!("{class} px-4 py-3") aria-sort=aria>
            <A href=href attr:class="hover:text-slate-800">{label}{arrow}</A>
        </th>
    }
    .into_any()
}

#[component]
fn UsersPager(
    query: UserQuery,
    showing: String,
    prev: Option<UserQuery>,
    next: Option<UserQuery>,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let navigate = use_navigate();
    let base = query.clone();
    let on_change = move |ev: leptos::ev::Event| {
        let per_page = event_target_value(&ev).parse().unwrap_or(PAGE_SIZES[0]);
        let target = UserQuery {
            per_page,
            page: 1,
            cursor: None,
            ..base.clone()
        };
        navigate(&target.href(), Default::default());
    };
    let keep = query.filters_only();
    view! {
        <crate::components::pager::Pager summary=showing prev=prev.map(|q| q.href()) next=next.map(|q| q.href())>
            <form method="get" action="/users" class="flex items-center gap-2">
                <HiddenFilters query=keep/>
                <label for="per-page">"Rows per page"</label>
                <select id="per-page" name="per_page" on:change=on_change class=style::COMPACT_INPUT>
                    {PAGE_SIZES.into_iter().map(|size| view! {
                        <option value=size.to_string() selected=size == query.per_page>{size}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class:hidden=move || hydrated.get() class=style::COMPACT_INPUT>"Apply"</button>
            </form>
        </crate::components::pager::Pager>
    }
}

/// The current filters as hidden inputs, so a plain form keeps them.
#[component]
fn HiddenFilters(query: UserQuery) -> impl IntoView {
    let qs = query.to_query_string();
    let pairs: Vec<(String, String)> = qs
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .filter(|(k, _)| *k != "per_page")
        .map(|(k, v)| (k.to_string(), crate::model::user_query::decode(v)))
        .collect();
    pairs
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
        .collect_view()
}

#[component]
fn UserRow(user: UserSummary, selectable: bool) -> impl IntoView {
    let href = format!("/users/{}", user.username);
    let username = user.username.clone();
    let seq = user.seq;
    let tick = selectable.then(|| {
        let selection = expect_context::<Selection>();
        let label = format!("Select {}", user.username);
        view! {
            <td class="px-3 py-2">
                <input type="checkbox" name="id" value=seq.to_string() aria-label=label class="h-4 w-4"
                    prop:checked=move || selection.all.get() || selection.rows.with(|r| r.contains(&seq))
                    disabled=move || selection.all.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selection.rows.update(|r| { if on { r.insert(seq); } else { r.remove(&seq); } });
                    }/>
            </td>
        }
    });
    let table_view = expect_context::<TableView>();
    view! {
        <tr class="group hover:bg-slate-50 has-checked:bg-indigo-50">
            {tick}
            <td class=move || format!("sticky left-0 bg-white font-medium group-hover:bg-slate-50 group-has-checked:bg-indigo-50 {}",
                if table_view.compact.get() { "px-3 py-1" } else { "px-4 py-2" })>
                <A href=href attr:class="text-indigo-700 hover:underline">{username}</A>
            </td>
            {move || {
                let compact = table_view.compact.get();
                table_view.shown.get().into_iter().map(|c| view! {
                    <td class=c.cell_class(compact)>{c.cell(&user)}</td>
                }).collect_view()
            }}
        </tr>
    }
}
