//! `app::ssr::CertificateBackend` over the CA, certificate and CRL services.
use app::model::{
    CaView, CertificateList, CertificateRow, CertificateSettings, CertificateState, CurrentUser,
    IssuedCertificate, RevocationReason,
};
use app::ssr::{CertificateBackend, RequestMeta};
use app::AppError;
use async_trait::async_trait;
use sea_orm::TransactionTrait;

use super::{actor_of, ServerBackend};
use crate::pki::{Ca, Pkcs12Profile};
use crate::services::{access, ca, certificates, crl, db_error, lifecycle};

fn internal(error: anyhow::Error) -> AppError {
    let reference = uuid::Uuid::new_v4().to_string();
    tracing::error!(%error, %reference, "certificate authority");
    AppError::Internal(reference)
}

impl ServerBackend {
    pub(super) async fn ca(&self) -> Result<Ca, AppError> {
        ca::load(&self.state.db, &self.state.ca_key)
            .await
            .map_err(internal)
    }

    /// Publishes a new CRL at once after a revocation (the instances' own
    /// loops would within seconds); a failure is logged, not the caller's.
    pub(super) async fn publish_crl(&self) {
        if let Err(error) = crl::refresh_with_key(&self.state.db, &self.state.ca_key).await {
            tracing::warn!(%error, "could not publish the CRL");
        }
    }

    /// The HTTPS sign-in page, for links in mail.
    pub(super) async fn sign_in_page_url(&self) -> String {
        match self.state.config.https_url(&self.state.leptos) {
            Some(url) => format!("{url}/login"),
            None => format!("{}/login", self.public_url().await),
        }
    }

    /// Issues a certificate with the configured validity, on `txn`.
    pub(super) async fn issue_on(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        user: &crate::db::entities::user::Model,
        actor: Option<&crate::services::users::Actor>,
        profile: Pkcs12Profile,
    ) -> Result<IssuedCertificate, AppError> {
        let settings = certificates::settings(txn).await?;
        let public_url = self.public_url().await;
        let sign_in_url = self.sign_in_page_url().await;
        certificates::issue(
            txn,
            &self.ca().await?,
            certificates::Issue {
                user,
                days: settings.client_validity_days,
                profile,
                actor,
                public_url: &public_url,
                sign_in_url: &sign_in_url,
            },
        )
        .await
    }
}

#[async_trait]
impl CertificateBackend for ServerBackend {
    async fn ca_view(&self) -> Result<CaView, AppError> {
        let pem = ca::certificate(&self.state.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let settings = certificates::settings(&self.state.db).await?;
        let mut view = ca::describe(&pem).map_err(internal)?;
        view.client_validity_days = settings.client_validity_days;
        view.approval_mode = settings.approval_mode;
        view.https_url = self.state.config.https_url(&self.state.leptos);
        Ok(view)
    }

    async fn save_certificate_settings(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        settings: CertificateSettings,
    ) -> Result<(), AppError> {
        certificates::save_settings(&self.state.db, &actor_of(actor, meta)?, &settings).await
    }

    async fn issue_certificate(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
        legacy: bool,
        replace: bool,
    ) -> Result<IssuedCertificate, AppError> {
        let actor = actor_of(actor, meta)?;
        let txn = self.state.db.begin().await.map_err(db_error)?;
        let user = lifecycle::find(&txn, username).await?;
        access::Authority::load(&txn, &actor)
            .await?
            .permit(
                &txn,
                &user,
                access::Act::Credentials,
                &mut access::AdminsLeft::unknown(),
            )
            .await?;
        if !matches!(
            app::model::UserStatus::parse(&user.status),
            Some(app::model::UserStatus::Active | app::model::UserStatus::CertificateSent)
        ) {
            return Err(AppError::Conflict(
                "Only an active user can get a certificate.".into(),
            ));
        }
        if replace {
            certificates::revoke_all_of(&txn, &[user.id], RevocationReason::Superseded)
                .await
                .map_err(db_error)?;
        }
        let profile = if legacy {
            Pkcs12Profile::Legacy
        } else {
            Pkcs12Profile::Modern
        };
        let issued = self.issue_on(&txn, &user, Some(&actor), profile).await?;
        txn.commit().await.map_err(db_error)?;
        if replace {
            self.publish_crl().await;
        }
        Ok(issued)
    }

    async fn renew_expiring(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
    ) -> Result<Vec<IssuedCertificate>, AppError> {
        let actor = actor_of(actor, meta)?;
        let authority = access::Authority::load(&self.state.db, &actor).await?;
        let mut holders =
            certificates::holders_of_expiring(&self.state.db, app::model::RENEW_AT_ONCE).await?;
        // Holders out of the actor's reach keep their certificates.
        holders.retain(|h| authority.may_act_on(h).is_ok());
        let mut renewed = Vec::with_capacity(holders.len());
        // One transaction per holder: a failure leaves the others renewed
        // and this one untouched.
        for holder in &holders {
            let txn = self.state.db.begin().await.map_err(db_error)?;
            certificates::revoke_all_of(&txn, &[holder.id], RevocationReason::Superseded)
                .await
                .map_err(db_error)?;
            renewed.push(
                self.issue_on(&txn, holder, Some(&actor), Pkcs12Profile::Modern)
                    .await?,
            );
            txn.commit().await.map_err(db_error)?;
        }
        if !renewed.is_empty() {
            self.publish_crl().await;
        }
        Ok(renewed)
    }

    async fn revoke_certificate(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        reason: RevocationReason,
    ) -> Result<(), AppError> {
        let actor = actor_of(actor, meta)?;
        let txn = self.state.db.begin().await.map_err(db_error)?;
        let cert = certificates::find(&txn, id).await?;
        certificates::revoke(&txn, &actor, &cert, reason).await?;
        txn.commit().await.map_err(db_error)?;
        self.publish_crl().await;
        Ok(())
    }

    async fn user_certificates(&self, username: &str) -> Result<Vec<CertificateRow>, AppError> {
        let user = lifecycle::find(&self.state.db, username).await?;
        certificates::of_user(&self.state.db, user.id).await
    }

    async fn certificate_sign_in_url(&self) -> Result<Option<String>, AppError> {
        Ok(self
            .state
            .config
            .https_url(&self.state.leptos)
            .map(|url| format!("{url}/auth/certificate")))
    }

    async fn certificates(
        &self,
        state: Option<CertificateState>,
        username: &str,
        page: u64,
    ) -> Result<CertificateList, AppError> {
        certificates::list(&self.state.db, state, username, page).await
    }

    async fn expiring_certificates(&self) -> Result<u64, AppError> {
        certificates::expiring(&self.state.db).await
    }
}
