//! The strength meter under a new password: zxcvbn's score and the policy's
//! verdict, asked of the server as the person types (debounced), so the
//! common-password lists stay on the server.
use leptos::prelude::*;

use crate::validation::PasswordStrength;

/// Whose password it is: their username and email are easy guesses.
#[derive(Clone, Copy)]
pub struct StrengthFor {
    pub username: Signal<String>,
    pub email: Signal<String>,
}

impl StrengthFor {
    pub fn new(username: impl Into<Signal<String>>, email: impl Into<Signal<String>>) -> Self {
        StrengthFor {
            username: username.into(),
            email: email.into(),
        }
    }

    /// Someone the page does not know by name.
    pub fn anyone() -> Self {
        Self::new(Signal::derive(String::new), Signal::derive(String::new))
    }
}

/// Wait this long after the last key before asking.
const PAUSE_MS: u64 = 350;

#[component]
pub fn StrengthMeter(password: RwSignal<String>, who: StrengthFor) -> impl IntoView {
    let reading = RwSignal::new(None::<PasswordStrength>);
    // Only the answer to the latest question counts.
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (p, u, e) = (password.get(), who.username.get(), who.email.get());
        let n = asked.get_value() + 1;
        asked.set_value(n);
        if p.is_empty() {
            reading.set(None);
            return;
        }
        set_timeout(
            move || {
                if asked.get_value() != n {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let answer = crate::api::passwords::password_strength(p, u, e).await;
                    if let (Ok(strength), true) = (answer, asked.get_value() == n) {
                        reading.set(Some(strength));
                    }
                });
            },
            std::time::Duration::from_millis(PAUSE_MS),
        );
    });
    view! {
        <div aria-live="polite" data-testid="strength" class="min-h-5">
            {move || reading.get().map(|s| {
                let colour = match s.score {
                    0 => "bg-red-600",
                    1 => "bg-orange-500",
                    2 => "bg-amber-400",
                    3 => "bg-lime-600",
                    _ => "bg-emerald-600",
                };
                let filled = usize::from(s.score) + 1;
                let note = s.problem.clone().or(s.advice.clone());
                view! {
                    <div class="flex items-center gap-2">
                        <div class="flex flex-1 gap-1" aria-hidden="true">
                            {(0..5).map(|i| view! {
                                <span class=format!("h-1.5 flex-1 rounded {}", if i < filled { colour } else { "bg-slate-200" })></span>
                            }).collect_view()}
                        </div>
                        <span class="text-xs font-medium text-slate-700" data-testid="strength-label">
                            {format!("Strength: {}", s.label())}
                        </span>
                    </div>
                    {note.map(|n| view! {
                        <p class=if s.problem.is_some() { "text-xs text-red-700" } else { "text-xs text-slate-600" }
                            data-testid="strength-note">{n}</p>
                    })}
                }
            })}
        </div>
    }
}
