//! Reacting to server actions the same way on every page.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Counts an action's successful runs. A page reloads its data on this,
/// not on every submission: a refused form stays as it was, with what the
/// person typed and the message at its field.
pub fn successes<S>(action: ServerAction<S>) -> Memo<usize>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    // The action counts its version up before it sets the value: read the
    // value tracked, the version (already the new one) untracked.
    Memo::new(move |last: Option<&usize>| {
        let ok = action.value().with(|v| matches!(v, Some(Ok(_))));
        if ok {
            action.version().get_untracked()
        } else {
            last.copied().unwrap_or(0)
        }
    })
}

/// The error of the action's last run, if it failed.
pub fn failure<S>(action: ServerAction<S>) -> Option<S::Error>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Clone + Send + Sync + 'static,
{
    action
        .value()
        .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
}
