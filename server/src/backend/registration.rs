//! `app::ssr::RegistrationBackend` over the registration and
//! access-requests services.
use app::model::{AccessRequestView, CurrentUser, Registration, RequestList, RequestStatus};
use app::ssr::{RegistrationBackend, RequestMeta};
use app::AppError;
use async_trait::async_trait;

use super::{actor_of, parse_choice, ServerBackend};
use crate::services::{access_requests, registration};

#[async_trait]
impl RegistrationBackend for ServerBackend {
    async fn register(&self, input: &Registration, meta: &RequestMeta) -> Result<(), AppError> {
        let url = self.public_url().await;
        registration::register(&self.state.db, input, meta.ip.as_deref(), &url).await
    }

    async fn check_confirmation(&self, token: &str) -> Result<String, AppError> {
        registration::check(&self.state.db, token).await
    }

    async fn confirm_email(&self, token: &str, meta: &RequestMeta) -> Result<(), AppError> {
        let url = self.public_url().await;
        registration::confirm(&self.state.db, token, meta.ip.as_deref(), &url).await
    }

    async fn access_requests(
        &self,
        status: RequestStatus,
        page: u64,
    ) -> Result<RequestList, AppError> {
        access_requests::list(&self.state.db, status, page).await
    }

    async fn access_request(&self, id: &str) -> Result<AccessRequestView, AppError> {
        access_requests::detail(&self.state.db, id).await
    }

    async fn waiting_requests(&self) -> Result<u64, AppError> {
        access_requests::waiting(&self.state.db).await
    }

    async fn approve_request(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        role: &str,
        groups: &[String],
    ) -> Result<app::model::Approved, AppError> {
        let actor = actor_of(actor, meta)?;
        let (role_id, group_ids) = parse_choice(role, groups)?;
        let approval = access_requests::Approval { role_id, group_ids };
        let url = self.public_url().await;
        let mode = crate::services::certificates::settings(&self.state.db)
            .await?
            .approval_mode;
        let (ca, sign_in_url) = match mode {
            app::model::ApprovalMode::Certificate => {
                (Some(self.ca().await?), self.sign_in_page_url().await)
            }
            app::model::ApprovalMode::Link => (None, String::new()),
        };
        let with = ca.as_ref().map(|ca| access_requests::CertificateApproval {
            ca,
            sign_in_url: &sign_in_url,
        });
        let approved =
            access_requests::approve(&self.state.db, &actor, id, approval, &url, with).await?;
        Ok(app::model::Approved {
            username: approved.username,
            certificate: approved.certificate,
        })
    }

    async fn reject_request(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        reason: &str,
    ) -> Result<String, AppError> {
        let actor = actor_of(actor, meta)?;
        access_requests::reject(&self.state.db, &actor, id, reason).await
    }
}
