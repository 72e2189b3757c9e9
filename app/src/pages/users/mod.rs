pub mod certificates_tab;
pub mod columns;
pub mod detail;
pub mod export;
mod filters;
pub mod import;
pub mod invite;
pub mod list;
pub mod new;
