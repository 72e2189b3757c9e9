use leptos::prelude::*;

/// The console's table: a bordered, horizontally scrolling frame, a header
/// row of column names, and the rows the caller gives.
#[component]
pub fn DataTable(
    /// Column headings, in order; an empty one is the row actions' column
    /// (named for screen readers only).
    columns: Vec<&'static str>,
    #[prop(into, optional)] label: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="mt-4 overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table class="min-w-full divide-y divide-slate-200 text-sm" aria-label=label>
                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                    <tr>
                        {columns.into_iter().map(|c| view! {
                            <th scope="col" class="px-4 py-3">
                                {if c.is_empty() { view! { <span class="sr-only">"Actions"</span> }.into_any() } else { c.into_any() }}
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">{children()}</tbody>
            </table>
        </div>
    }
}

/// The address's `?page=` (1 when it is missing or not a number), for
/// tables paged with `newer_older`.
pub fn page_in_query() -> Memo<u64> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
    })
}

/// "Page 2 of 5 · 113 requests" with "← Newer" and "Older →" links, for
/// tables listed newest first; `link(n)` is page n's address.
pub fn newer_older(
    page: u64,
    total: u64,
    per_page: u64,
    noun: &'static str,
    link: impl Fn(u64) -> String,
) -> impl IntoView {
    let pages = total.div_ceil(per_page).max(1);
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    view! {
        <div class="flex items-center gap-3 py-3 text-sm">
            <span>{format!("Page {page} of {pages} · {total} {noun}")}</span>
            {prev.map(|href| view! { <a href=href class="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100">"← Newer"</a> })}
            {next.map(|href| view! { <a href=href class="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100">"Older →"</a> })}
        </div>
    }
}
