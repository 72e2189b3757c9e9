//! One page per file.
pub mod account;
pub mod audit;
pub mod change_password;
pub mod forgot_password;
pub mod groups;
pub mod home;
pub mod invite;
pub mod jobs;
pub mod login;
pub mod mail_settings;
pub mod not_found;
pub mod reset_password;
pub mod roles;
pub mod settings;
pub mod setup;
pub mod users;
