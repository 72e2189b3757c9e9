//! The Usher web application: pages, components and server functions shared
//! by the browser (`hydrate`) and the server (`ssr`).
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod auth_state;
pub mod components;
pub mod pages;

// The shared crate's modules, under the paths the pages and server functions use.
pub use shared::{error, model, routes, validation};

#[cfg(feature = "ssr")]
pub mod ssr;

pub use app::{shell, App};
pub use error::AppError;
