//! The Activity tab: the user's audit events.
use super::*;

#[component]
pub(super) fn ActivityTab(detail: UserDetail) -> impl IntoView {
    if detail.activity.is_empty() {
        return view! { <p class="text-sm text-slate-600">"No activity recorded yet."</p> }
            .into_any();
    }
    let username = detail.user.username.clone();
    view! {
        <ol class="space-y-2 text-sm" data-testid="activity">
            {detail.activity.into_iter().map(|e| {
                let at = short_time(&e.at);
                let entry = crate::model::AuditEntry {
                    id: 0,
                    at: e.at,
                    actor: e.actor,
                    action: e.action,
                    target: Some(format!("user {username}")),
                    ip: None,
                    success: e.success,
                    details: e.details,
                };
                view! {
                    <li class="rounded-md border border-slate-200 bg-white px-3 py-2">
                        <crate::components::audit::EventSentence entry/>
                        <time class="text-xs text-slate-500">{at}</time>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}
