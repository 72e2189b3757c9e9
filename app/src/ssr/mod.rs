//! Server-only glue for server functions: who is calling, the application
//! state (database, configuration) and how a result becomes a response.
//! Server functions call `usher_core::services` directly with these.
mod context;
mod session;

pub use context::{
    actor, actor_any, caller, fail, form_error, is_plain_form_post, request_meta, require,
    require_any, state, CspNonce,
};
pub use session::{end_session, open_session, start_session};
