//! `app::ssr::PasswordBackend` over the password-change service.
use app::model::CurrentUser;
use app::ssr::{PasswordBackend, RequestMeta};
use app::AppError;
use async_trait::async_trait;

use super::{actor_of, ServerBackend};
use crate::services::password_change::{self, AdminSet, OwnChange};

#[async_trait]
impl PasswordBackend for ServerBackend {
    async fn change_own_password(
        &self,
        caller: &CurrentUser,
        meta: &RequestMeta,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let me = actor_of(caller, meta)?;
        let change = OwnChange {
            user_id: me.id,
            current,
            new,
            session_id: meta.session_id.as_deref(),
            ip: meta.ip.as_deref(),
        };
        password_change::change_own(&self.state.db, change).await
    }

    async fn set_user_password(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
        password: &str,
        force_change: bool,
        notice: app::model::PasswordNotice,
    ) -> Result<(), AppError> {
        let actor = actor_of(actor, meta)?;
        let set = AdminSet {
            username,
            password,
            force_change,
            notice,
        };
        password_change::set_by_admin(&self.state.db, &actor, set, &self.public_url().await).await
    }
}
