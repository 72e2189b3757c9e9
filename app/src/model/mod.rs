//! Data shared by browser and server.
pub mod page;
pub mod permission;
pub mod user;

pub use page::{Page, PageRequest};
pub use permission::Permission;
pub use user::{CurrentUser, UserStatus, UserSummary};
