//! Server functions: each checks the caller, calls a service of
//! `usher_core::services` and maps the result to the response.
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod certificates;
pub mod groups;
pub mod import;
pub mod invitations;
pub mod mail;
pub mod passwords;
pub mod recovery;
pub mod registration;
pub mod roles;
pub mod settings;
pub mod users;
