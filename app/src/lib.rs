//! The Usher web application: pages, components and server functions shared
//! by the browser (`hydrate`) and the server (`ssr`).
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
pub mod routes;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod ssr;

pub use app::{shell, App};
pub use error::AppError;
