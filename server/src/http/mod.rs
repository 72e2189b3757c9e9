//! The HTTP layer: router, middleware and plain routes.
pub mod csrf;
pub mod export;
pub mod headers;
pub mod health;
pub mod import;
pub mod refusals;
pub mod router;
pub mod session;

pub use router::build;
