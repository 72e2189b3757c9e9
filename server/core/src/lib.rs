//! Usher's domain: configuration, the database, the services (plain async
//! functions over a connection), mail and the PKI. Server functions in `app`
//! and the HTTP layer in `usher` call in here; nothing here imports them.
pub mod config;
pub mod db;
pub mod mail;
pub mod pki;
pub mod services;
pub mod state;
#[doc(hidden)]
pub mod testkit;
pub mod web;
