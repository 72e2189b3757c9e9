//! Building blocks shared by the pages.
pub mod action;
pub mod alert;
pub mod audit;
pub mod certificates;
pub mod confirm;
pub mod field;
pub mod layout;
pub mod pager;
pub mod password;
pub mod role_groups;
pub mod status;
pub mod style;
pub mod table;
pub mod time;
