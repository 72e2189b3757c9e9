use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::model::page::PAGE_SIZES;
use crate::model::PageRequest;

/// "Rows per page", "Showing a–b of n" and previous/next links. Links carry
/// the state in the URL, so they work before the wasm loads and Back works.
#[component]
pub fn Pagination(
    base: &'static str,
    request: PageRequest,
    page_count: u64,
    showing: String,
) -> impl IntoView {
    let href = move |page: u64| format!("{base}?page={page}&per_page={}", request.per_page);
    let prev = (request.page > 1).then(|| href(request.page - 1));
    let next = (request.page < page_count).then(|| href(request.page + 1));
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let navigate = use_navigate();
    let on_change = move |ev: leptos::ev::Event| {
        let per_page = event_target_value(&ev);
        navigate(
            &format!("{base}?page=1&per_page={per_page}"),
            Default::default(),
        );
    };
    view! {
        <div class="flex flex-wrap items-center justify-between gap-4 py-3 text-sm text-slate-600">
            <form method="get" action=base class="flex items-center gap-2">
                <label for="per-page">"Rows per page"</label>
                <select id="per-page" name="per_page" on:change=on_change
                    class="rounded-md border border-slate-300 px-2 py-1">
                    {PAGE_SIZES.into_iter().map(|size| view! {
                        <option value=size.to_string() selected=size == request.per_page>{size}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class:hidden=move || hydrated.get()
                    class="rounded-md border border-slate-300 px-2 py-1">"Apply"</button>
            </form>
            <p data-testid="showing">{showing}</p>
            <nav aria-label="Pagination" class="flex items-center gap-2">
                {pager_link(prev, "Previous page", "← Previous")}
                <span>{format!("Page {} of {}", request.page, page_count)}</span>
                {pager_link(next, "Next page", "Next →")}
            </nav>
        </div>
    }
}

fn pager_link(href: Option<String>, label: &'static str, text: &'static str) -> AnyView {
    match href {
        Some(href) => view! {
            <A href=href attr:aria-label=label attr:class="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100">{text}</A>
        }
        .into_any(),
        None => view! {
            <span aria-disabled="true" class="rounded-md border border-slate-200 px-3 py-1 text-slate-300">{text}</span>
        }
        .into_any(),
    }
}
