//! Who is making a change: the signed-in caller as the services see them.
use shared::model::CurrentUser;
use shared::AppError;
use uuid::Uuid;

use crate::web::RequestMeta;

/// Who is making a change, for checks and the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Uuid,
    pub username: String,
    pub ip: Option<String>,
}

impl Actor {
    /// The signed-in caller of a request.
    pub fn of(user: &CurrentUser, meta: &RequestMeta) -> Result<Self, AppError> {
        Ok(Self {
            id: Uuid::parse_str(&user.id).map_err(|_| AppError::Unauthorized)?,
            username: user.username.clone(),
            ip: meta.ip.clone(),
        })
    }
}
