//! `app::ssr::InvitationBackend` over the invitations service.
use app::model::{CurrentUser, Invitation, InviteReport};
use app::ssr::{InvitationBackend, RequestMeta, SessionCookie};
use app::AppError;
use async_trait::async_trait;

use super::{actor_of, parse_choice, ServerBackend};
use crate::services::{bulk_invite, invitations};

#[async_trait]
impl InvitationBackend for ServerBackend {
    async fn send_invitation(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
    ) -> Result<String, AppError> {
        let actor = actor_of(actor, meta)?;
        invitations::send_to(&self.state.db, &actor, username, &self.public_url().await).await
    }

    async fn check_invitation(&self, token: &str) -> Result<Invitation, AppError> {
        invitations::check(&self.state.db, token).await
    }

    async fn accept_invitation(
        &self,
        token: &str,
        first_name: &str,
        last_name: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(CurrentUser, SessionCookie), AppError> {
        let joining = invitations::Joining {
            token,
            first_name,
            last_name,
            password,
            ip: meta.ip.as_deref(),
        };
        let joined = invitations::accept(&self.state.db, joining).await?;
        self.open_session(&joined, meta).await
    }

    async fn renew_invitation(&self, token: &str, meta: &RequestMeta) -> Result<(), AppError> {
        invitations::renew(
            &self.state.db,
            token,
            meta.ip.as_deref(),
            &self.public_url().await,
        )
        .await
    }

    async fn check_invites(&self, text: &str) -> Result<InviteReport, AppError> {
        bulk_invite::check(&self.state.db, text).await
    }

    async fn invite_users(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        text: &str,
        role: &str,
        groups: &[String],
    ) -> Result<InviteReport, AppError> {
        let actor = actor_of(actor, meta)?;
        let (role_id, group_ids) = parse_choice(role, groups)?;
        let request = bulk_invite::Invite {
            text,
            role_id,
            group_ids,
        };
        bulk_invite::invite(&self.state.db, &actor, request, &self.public_url().await).await
    }
}
