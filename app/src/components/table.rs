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
