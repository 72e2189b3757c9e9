pub mod certificates_tab;
pub mod detail;
pub mod import;
pub mod invite;
pub mod list;
pub mod new;
