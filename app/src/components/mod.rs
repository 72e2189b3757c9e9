//! Building blocks shared by the pages.
pub mod alert;
pub mod certificates;
pub mod field;
pub mod layout;
pub mod role_groups;
pub mod table;
pub mod time;
