//! The one pager under every table: where you are ("Page 2 of 5 · 113
//! requests", "Showing 11–20 of 43") and "← Previous" / "Next →" links,
//! greyed out at either end. Each page gives the two addresses (the users
//! table pages by keyset, the others by number).
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Pager(
    #[prop(into)] summary: String,
    prev: Option<String>,
    next: Option<String>,
    /// Anything to show beside the links (the users table's page size).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="flex flex-wrap items-center justify-between gap-4 py-3 text-sm text-slate-600">
            {children.map(|c| c())}
            <p data-testid="showing">{summary}</p>
            <nav aria-label="Pagination" class="flex items-center gap-2">
                {link(prev, "Previous page", "← Previous")}
                {link(next, "Next page", "Next →")}
            </nav>
        </div>
    }
}

fn link(href: Option<String>, label: &'static str, text: &'static str) -> AnyView {
    match href {
        Some(href) => view! {
            <A href=href attr:aria-label=label attr:class=super::style::SECONDARY>{text}</A>
        }
        .into_any(),
        None => view! {
            <span aria-disabled="true" class="inline-flex min-h-9 items-center rounded-md border border-slate-200 px-3 text-slate-500">{text}</span>
        }
        .into_any(),
    }
}

/// "Page 2 of 5 · 113 requests", for tables paged by number.
pub fn page_of(page: u64, total: u64, per_page: u64, noun: &str) -> String {
    let pages = total.div_ceil(per_page).max(1);
    format!(
        "Page {page} of {pages} · {} {noun}",
        crate::model::page::thousands(total)
    )
}

/// The previous and next page numbers' addresses, for tables paged by number.
pub fn numbered(
    page: u64,
    total: u64,
    per_page: u64,
    link: impl Fn(u64) -> String,
) -> (Option<String>, Option<String>) {
    let pages = total.div_ceil(per_page).max(1);
    (
        (page > 1).then(|| link(page - 1)),
        (page < pages).then(|| link(page + 1)),
    )
}
