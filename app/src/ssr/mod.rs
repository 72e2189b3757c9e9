//! Server-only glue: the services the server binary implements, and helpers
//! that server functions use to learn who is calling.
mod backend;
mod context;

pub use backend::{
    Backend, CertificateBackend, ImportBackend, InvitationBackend, MailBackend, PasswordBackend,
    RecoveryBackend, RegistrationBackend, RequestMeta, SessionCookie,
};
pub use context::{
    backend, caller, fail, form_error, is_plain_form_post, request_meta, require, require_any,
    CspNonce,
};
