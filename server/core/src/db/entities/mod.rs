//! sea-orm entities, one per table. Hand-written model logic lives in
//! `services/`, not here.
pub mod access_request;
pub mod audit_event;
pub mod certificate;
pub mod group;
pub mod group_member;
pub mod import;
pub mod import_failure;
pub mod job;
pub mod job_item;
pub mod mail_outbox;
pub mod one_time_token;
pub mod rate_event;
pub mod role;
pub mod role_permission;
pub mod session;
pub mod setting;
pub mod user;
pub mod user_count;
