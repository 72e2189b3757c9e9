use leptos::prelude::*;

use crate::error::AppError;

/// Messages that float in a corner for a few seconds: what an action did
/// (`done`, a status) or why it failed (`error`, an alert).
#[derive(Clone, Copy)]
pub struct Toasts(RwSignal<Vec<Toast>>);

#[derive(Clone)]
struct Toast {
    id: u64,
    text: String,
    error: bool,
}

impl Toasts {
    pub fn error(&self, message: impl Into<String>) {
        self.push(message.into(), true);
    }

    /// Acknowledges a change ("Group created").
    pub fn done(&self, message: impl Into<String>) {
        self.push(message.into(), false);
    }

    fn push(&self, text: String, error: bool) {
        let id = self
            .0
            .with_untracked(|t| t.last().map(|t| t.id + 1).unwrap_or(0));
        self.0.update(|t| t.push(Toast { id, text, error }));
        let list = self.0;
        set_timeout(
            move || list.update(|t| t.retain(|t| t.id != id)),
            std::time::Duration::from_secs(8),
        );
    }
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn Toaster(children: Children) -> impl IntoView {
    let toasts = Toasts(RwSignal::new(Vec::new()));
    provide_context(toasts);
    view! {
        {children()}
        <div class="fixed bottom-4 right-4 z-50 flex flex-col gap-2" aria-live="polite">
            <For each=move || toasts.0.get() key=|t| t.id let:toast>
                {if toast.error {
                    view! { <div role="alert" class="rounded-lg bg-red-600 text-white shadow-lg px-4 py-3 text-sm max-w-sm">{toast.text}</div> }.into_any()
                } else {
                    view! { <div role="status" class="rounded-lg bg-emerald-700 text-white shadow-lg px-4 py-3 text-sm max-w-sm">{toast.text}</div> }.into_any()
                }}
            </For>
        </div>
    }
}

/// A form that is emptied, with `message` as a toast, each time `succeeded`
/// turns true: the next entry starts afresh instead of repeating the last.
pub fn reset_after(
    form: NodeRef<leptos::html::Form>,
    succeeded: impl Fn() -> bool + Send + Sync + 'static,
    message: &'static str,
) {
    let toasts = use_toasts();
    Effect::new(move |_| {
        if succeeded() {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            toasts.done(message);
        }
    });
}

/// An inline error box (a page that could not load, a form that failed).
#[component]
pub fn ErrorAlert(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {message}
        </div>
    }
}

/// Shows what went wrong loading a page's data; a lapsed session sends the
/// person to sign in and come back.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    if error == AppError::Unauthorized {
        let here = leptos_router::hooks::use_location();
        let next = format!(
            "{}{}",
            here.pathname.get_untracked(),
            here.search.get_untracked()
        );
        let target = crate::routes::login_url(&next);
        return view! { <leptos_router::components::Redirect path=target/> }.into_any();
    }
    view! { <ErrorAlert message=error.to_string()/> }.into_any()
}
