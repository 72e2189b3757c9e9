use leptos::prelude::*;

/// The console's table: a bordered, scrolling frame, a header row and the
/// rows the caller gives. Column names make the header; a table with its
/// own header cells (sortable, chosen columns) gives `head` instead, and a
/// bar above the header (mass actions) as `toolbar`.
#[component]
pub fn DataTable(
    /// Column headings, in order; an empty one is the row actions' column
    /// (named for screen readers only).
    #[prop(optional)]
    columns: Vec<&'static str>,
    /// The header row's cells, when they are more than names.
    #[prop(optional)]
    head: Option<AnyView>,
    #[prop(optional)] toolbar: Option<AnyView>,
    #[prop(into, optional)] label: Option<String>,
    #[prop(into, optional)] testid: Option<String>,
    /// The frame scrolls up and down too, under a header that stays put.
    #[prop(optional)]
    tall: bool,
    children: Children,
) -> impl IntoView {
    let head = head.unwrap_or_else(|| {
        columns
            .into_iter()
            .map(|c| {
                view! {
                    <th scope="col" class="px-4 py-3">
                        {if c.is_empty() { view! { <span class="sr-only">"Actions"</span> }.into_any() } else { c.into_any() }}
                    </th>
                }
            })
            .collect_view()
            .into_any()
    });
    let frame = if tall {
        "mt-4 max-h-[75vh] overflow-auto rounded-lg border border-slate-200 bg-white"
    } else {
        "mt-4 overflow-x-auto rounded-lg border border-slate-200 bg-white"
    };
    view! {
        <div class=frame>
            {toolbar}
            <table class="min-w-full divide-y divide-slate-200 text-left text-sm" aria-label=label data-testid=testid>
                <thead class="sticky top-0 z-20 bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                    <tr>{head}</tr>
                </thead>
                <tbody class="divide-y divide-slate-100">{children()}</tbody>
            </table>
        </div>
    }
}

/// The address's `?page=` (1 when it is missing or not a number), for
/// tables paged by number.
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
