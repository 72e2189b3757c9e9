//! The Activity tab: the user's audit events.
use super::*;

#[component]
pub(super) fn ActivityTab(detail: UserDetail) -> impl IntoView {
    if detail.activity.is_empty() {
        return view! { <p class="text-sm text-slate-600">"No activity recorded yet."</p> }
            .into_any();
    }
    view! {
        <ol class="space-y-2 text-sm" data-testid="activity">
            {detail.activity.into_iter().map(|e| view! {
                <li class="rounded-md border border-slate-200 bg-white px-3 py-2">
                    <span class="font-medium">{e.action}</span>
                    " by " {e.actor.unwrap_or_else(|| "Usher".into())}
                    " · " <time>{short_time(&e.at)}</time>
                    {(!e.success).then(|| view! { <span class="ml-2 text-red-700">"(failed)"</span> })}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}
