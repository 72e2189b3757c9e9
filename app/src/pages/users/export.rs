//! The users export in the browser: with JavaScript the CSV is fetched here,
//! so a progress bar can count its rows against the total the server sends
//! ahead of them; the finished file is then handed to the browser as a
//! download. Without JavaScript the links download it directly.
use leptos::prelude::*;

use crate::model::export::ExportProgress;

/// The export under way (or just finished), or why it failed.
#[derive(Clone, Copy)]
pub struct ExportState {
    pub progress: RwSignal<Option<ExportProgress>>,
    pub error: RwSignal<Option<String>>,
}

impl ExportState {
    pub fn new() -> Self {
        ExportState {
            progress: RwSignal::new(None),
            error: RwSignal::new(None),
        }
    }

    /// Downloads `url` with progress, in the browser; the caller has already
    /// kept the browser from following the link.
    pub fn start(self, url: String) {
        if self.progress.get_untracked().is_some_and(|p| !p.done) {
            return; // one export at a time
        }
        self.error.set(None);
        self.progress.set(Some(ExportProgress::default()));
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if let Err(message) = browser::download(&url, self.progress).await {
                self.progress.set(None);
                self.error.set(Some(message));
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = url;
    }
}

impl Default for ExportState {
    fn default() -> Self {
        Self::new()
    }
}

/// Closes the "Export" menu the clicked link sits in, so the progress bar
/// under it is not covered.
#[allow(unused_variables)]
pub fn close_menu(ev: &leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    if let Ok(Some(menu)) = event_target::<web_sys::Element>(ev).closest("details") {
        let _ = menu.remove_attribute("open");
    }
}

/// The bar under the page title while an export downloads, and its outcome.
#[component]
pub fn ExportStatus(state: ExportState) -> impl IntoView {
    move || {
        if let Some(message) = state.error.get() {
            return view! {
                <p role="alert" class="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                    {message}
                </p>
            }
            .into_any();
        }
        let Some(p) = state.progress.get() else {
            return ().into_any();
        };
        view! {
            <div class="mt-3 rounded-md border border-slate-200 bg-white px-3 py-2 text-sm" data-testid="export-progress">
                <p aria-live="polite">{p.label()}</p>
                <progress class="mt-1 h-2 w-full" aria-label="Export progress"
                    max=p.total.max(1).to_string() value=p.shown_rows().to_string()></progress>
            </div>
        }
        .into_any()
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use crate::model::export::{line_breaks, ExportProgress};
    use crate::model::EXPORT_TOTAL_HEADER;

    fn failed(what: &str) -> impl Fn(JsValue) -> String + '_ {
        move |e| format!("The export failed ({what}): {e:?}")
    }

    pub async fn download(
        url: &str,
        progress: RwSignal<Option<ExportProgress>>,
    ) -> Result<(), String> {
        let response: web_sys::Response = JsFuture::from(window().fetch_with_str(url))
            .await
            .map_err(|_| "The export could not reach the server; try again.".to_string())?
            .unchecked_into();
        if !response.ok() {
            let text = match response.text() {
                Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
                Err(_) => None,
            };
            return Err(
                text.unwrap_or_else(|| format!("The export failed ({}).", response.status()))
            );
        }
        let headers = response.headers();
        let total = headers
            .get(EXPORT_TOTAL_HEADER)
            .ok()
            .flatten()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let name = headers
            .get("content-disposition")
            .ok()
            .flatten()
            .and_then(|d| {
                d.split("filename=\"")
                    .nth(1)
                    .map(|n| n.trim_end_matches('"').to_string())
            })
            .unwrap_or_else(|| "usher-users.csv".into());
        let body = response.body().ok_or("The export came back empty.")?;
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        let parts = js_sys::Array::new();
        let mut lines = 0;
        loop {
            let step = JsFuture::from(reader.read())
                .await
                .map_err(failed("reading"))?;
            let done = js_sys::Reflect::get(&step, &"done".into())
                .map_err(failed("reading"))?
                .as_bool()
                .unwrap_or(true);
            if done {
                break;
            }
            let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&step, &"value".into())
                .map_err(failed("reading"))?
                .unchecked_into();
            lines += line_breaks(&chunk.to_vec());
            parts.push(&chunk);
            // The header's line is not a user.
            progress.set(Some(ExportProgress {
                rows: lines.saturating_sub(1),
                total,
                done: false,
            }));
        }
        save(&parts, &name)?;
        progress.set(Some(ExportProgress {
            rows: total,
            total,
            done: true,
        }));
        Ok(())
    }

    /// Hands the received bytes to the browser as a file download.
    fn save(parts: &js_sys::Array, name: &str) -> Result<(), String> {
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/csv;charset=utf-8");
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &options)
            .map_err(failed("saving"))?;
        let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed("saving"))?;
        let link: web_sys::HtmlAnchorElement = document()
            .create_element("a")
            .map_err(failed("saving"))?
            .unchecked_into();
        link.set_href(&href);
        link.set_download(name);
        link.click();
        // Revoked later: the browser may still be reading it after the click.
        set_timeout(
            move || {
                let _ = web_sys::Url::revoke_object_url(&href);
            },
            std::time::Duration::from_secs(60),
        );
        Ok(())
    }
}
