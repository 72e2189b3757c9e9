use leptos::prelude::*;

/// A labelled input with its error message underneath, tied together for
/// screen readers (`aria-invalid`, `aria-describedby`). A password field
/// is masked, with "Show" to read it back (once the page's script runs).
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    #[prop(into, default = "text".into())] kind: String,
    #[prop(into, optional)] autocomplete: Option<String>,
    #[prop(into, optional)] hint: Option<String>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Not required (no `required` attribute).
    #[prop(optional)]
    optional: bool,
    #[prop(into, optional)] disabled: Option<Signal<bool>>,
    /// A password field's "Show" state, for a form that reveals what it
    /// generated.
    #[prop(optional)]
    shown: Option<RwSignal<bool>>,
    /// Under a new password: the strength meter, judged for this person.
    #[prop(optional)]
    strength: Option<super::password::StrengthFor>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let live = live_value(id.clone(), value);
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    let is_password = kind == "password";
    let shown = shown.unwrap_or_else(|| RwSignal::new(false));
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let kind_now = move || {
        if is_password && shown.get() {
            "text".to_string()
        } else {
            kind.clone()
        }
    };
    let toggle = is_password.then(|| {
        let controls = id.clone();
        view! {
            <button type="button" class:hidden=move || !hydrated.get()
                aria-controls=controls aria-pressed=move || shown.get().to_string()
                on:click=move |_| shown.update(|s| *s = !*s)
                class="shrink-0 rounded-md border border-slate-300 px-3 text-sm text-slate-700 hover:bg-slate-100">
                {move || if shown.get() { "Hide" } else { "Show" }}
            </button>
        }
    });
    view! {
        <div class="space-y-1">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <div class="flex gap-2">
                <input
                    id=id
                    name=name
                    type=kind_now
                    autocomplete=autocomplete
                    required=!optional
                    disabled=move || disabled.map(|d| d.get()).unwrap_or(false)
                    class="block w-full min-w-0 rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 aria-[invalid=true]:border-red-500"
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby=move || error.get().map(|_| described.clone())
                    // The attribute: the starting value in the server's HTML
                    // (and without JavaScript); the property: the live value.
                    value=value.get_untracked()
                    prop:value=live
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                {toggle}
            </div>
            {hint.map(|h| view! { <p class="text-xs text-slate-500">{h}</p> })}
            <p id=error_id class="text-sm text-red-700 min-h-0">{move || error.get()}</p>
            {strength.map(|who| view! { <super::password::StrengthMeter password=value who/> })}
        </div>
    }
}

/// The live value of the text field `id` (its `prop:value`). The first time,
/// in the browser, text typed before the page's script started is kept and
/// becomes the field's value, instead of the empty starting value wiping it.
pub fn live_value(id: String, value: RwSignal<String>) -> impl Fn() -> String + Send + Sync {
    let first = StoredValue::new(true);
    move || {
        let current = value.get();
        if first.get_value() {
            first.set_value(false);
            if let Some(typed) = current.is_empty().then(|| typed_in(&id)).flatten() {
                value.set(typed.clone());
                return typed;
            }
        }
        current
    }
}

/// What the page shows in the input or text area `id` right now.
#[allow(unused_variables)]
fn typed_in(id: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let element = document().get_element_by_id(id)?;
        let typed = js_sys::Reflect::get(&element, &"value".into())
            .ok()?
            .as_string()?;
        return (!typed.is_empty()).then_some(typed);
    }
    #[allow(unreachable_code)]
    None
}
