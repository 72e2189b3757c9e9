//! The one confirmation every destructive act goes through: it names whom
//! it is about and what cannot be undone, offers the red confirming button
//! (the caller's form, as children) and a way back. A link opens it, so it
//! works without JavaScript.
use leptos::prelude::*;
use leptos_router::components::A;

use super::style;

#[component]
pub fn ConfirmDialog(
    /// The question, naming the user or the count ("Deactivate bob.berg?").
    #[prop(into)]
    title: String,
    /// What happens, side effects included.
    #[prop(into)]
    message: String,
    /// Where "Cancel" leads (the page without the confirmation open).
    #[prop(into)]
    cancel: String,
    /// The form with the confirming button.
    children: Children,
) -> impl IntoView {
    view! {
        <div role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-message"
            data-testid="confirm" class="mt-4 max-w-2xl rounded-lg border border-red-200 bg-red-50 p-4">
            <h2 id="confirm-title" class="font-semibold text-red-900">{title}</h2>
            <p id="confirm-message" class="mt-1 text-sm text-red-900">{message}</p>
            <div class="mt-3 flex flex-wrap items-center gap-2">
                {children()}
                <A href=cancel attr:class=style::SECONDARY>"Cancel"</A>
            </div>
        </div>
    }
}
