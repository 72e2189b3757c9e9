//! A user's state as a coloured badge, wherever a user is shown.
use leptos::prelude::*;

use crate::model::UserStatus;

/// The state as a coloured badge; its tooltip says what happens next. An
/// active account that has signed in is "Completed".
#[component]
pub fn StatusBadge(status: UserStatus, signed_in: bool) -> impl IntoView {
    let colour = match status {
        UserStatus::Active => "bg-green-100 text-green-800",
        UserStatus::Inactive => "bg-slate-200 text-slate-700",
        UserStatus::Invited => "bg-sky-100 text-sky-800",
        UserStatus::PendingEmail => "bg-amber-100 text-amber-800",
        UserStatus::Review => "bg-violet-100 text-violet-800",
        UserStatus::Rejected => "bg-red-100 text-red-800",
        UserStatus::CertificateSent => "bg-teal-100 text-teal-800",
    };
    let label = if status == UserStatus::Active && signed_in {
        "Active · Completed".to_string()
    } else {
        status.label().to_string()
    };
    view! {
        <span title=status.next_step()
            class=format!("whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium {colour}")>{label}</span>
    }
}
