//! Building blocks shared by the pages.
pub mod alert;
pub mod field;
pub mod layout;
