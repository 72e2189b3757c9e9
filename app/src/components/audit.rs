//! An audit event as people read it: a sentence, and what changed
//! (before → after). The audit log and a user's Activity tab both use it.
use leptos::prelude::*;

use crate::model::AuditEntry;

#[component]
pub fn EventSentence(entry: AuditEntry) -> impl IntoView {
    let changes = entry.changes();
    view! {
        <p class="break-words" title=entry.action.clone()>{entry.sentence()}</p>
        {(!changes.is_empty()).then(|| view! {
            <ul class="mt-1 space-y-0.5 text-xs text-slate-600" data-testid="changes">
                {changes.into_iter().map(|(field, before, after)| view! {
                    <li>
                        <span class="font-medium">{field}</span>": "
                        <del class="text-red-700">{before}</del>" → "<ins class="text-emerald-800 no-underline">{after}</ins>
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}
