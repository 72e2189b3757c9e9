//! The admin's certificate actions, each in its own transaction: issue (or
//! replace), renew the expiring ones, revoke one; and the CA page.
use sea_orm::{ConnectionTrait, TransactionTrait};
use shared::model::{CaView, IssuedCertificate, RevocationReason, UserStatus, RENEW_AT_ONCE};
use shared::AppError;

use super::{holders_of_expiring, issue, revoke, revoke_all_of, settings, Issue};
use crate::db::entities::user;
use crate::pki::{Ca, Pkcs12Profile};
use crate::services::actor::Actor;
use crate::services::{access, ca, db_error, internal, users};
use crate::state::AppState;

/// What issuing needs from the installation, read once per action (not per
/// certificate): the CA, the validity and the links the certificate and its
/// mail name.
struct Issuer {
    ca: Ca,
    days: i64,
    public_url: String,
    sign_in_url: String,
}

impl Issuer {
    async fn load(state: &AppState) -> Result<Self, AppError> {
        Ok(Self {
            ca: state.ca().await?,
            days: settings(&state.db).await?.client_validity_days,
            public_url: state.public_url().await,
            sign_in_url: state.sign_in_page_url().await,
        })
    }

    /// Issues a certificate to `user` on `txn`.
    async fn issue_to(
        &self,
        txn: &impl ConnectionTrait,
        user: &user::Model,
        actor: Option<&Actor>,
        profile: Pkcs12Profile,
    ) -> Result<IssuedCertificate, AppError> {
        let request = Issue {
            user,
            days: self.days,
            profile,
            actor,
            public_url: &self.public_url,
            sign_in_url: &self.sign_in_url,
        };
        issue(txn, &self.ca, request).await
    }
}

/// "Issue certificate" (or, with `replace`, "Regenerate") on a user's page.
pub async fn issue_for(
    state: &AppState,
    actor: &Actor,
    username: &str,
    legacy: bool,
    replace: bool,
) -> Result<IssuedCertificate, AppError> {
    let txn = state.db.begin().await.map_err(db_error)?;
    let user = users::find(&txn, username).await?;
    access::Authority::load(&txn, actor)
        .await?
        .permit(
            &txn,
            &user,
            access::Act::Credentials,
            &mut access::AdminsLeft::unknown(),
        )
        .await?;
    if !matches!(
        UserStatus::parse(&user.status),
        Some(UserStatus::Active | UserStatus::CertificateSent)
    ) {
        return Err(AppError::Conflict(
            "Only an active user can get a certificate.".into(),
        ));
    }
    if replace {
        revoke_all_of(&txn, &[user.id], RevocationReason::Superseded)
            .await
            .map_err(db_error)?;
    }
    let profile = if legacy {
        Pkcs12Profile::Legacy
    } else {
        Pkcs12Profile::Modern
    };
    let issued = Issuer::load(state)
        .await?
        .issue_to(&txn, &user, Some(actor), profile)
        .await?;
    txn.commit().await.map_err(db_error)?;
    if replace {
        state.publish_crl().await;
    }
    Ok(issued)
}

/// "Renew expiring": a new certificate for each holder of one that expires
/// soon and is within the actor's reach.
pub async fn renew_expiring(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<IssuedCertificate>, AppError> {
    let authority = access::Authority::load(&state.db, actor).await?;
    let mut holders = holders_of_expiring(&state.db, RENEW_AT_ONCE).await?;
    // Holders out of the actor's reach keep their certificates.
    holders.retain(|h| authority.may_act_on(h).is_ok());
    if holders.is_empty() {
        return Ok(Vec::new());
    }
    let issuer = Issuer::load(state).await?;
    let mut renewed = Vec::with_capacity(holders.len());
    // One transaction per holder: a failure leaves the others renewed and
    // this one untouched.
    for holder in &holders {
        let txn = state.db.begin().await.map_err(db_error)?;
        revoke_all_of(&txn, &[holder.id], RevocationReason::Superseded)
            .await
            .map_err(db_error)?;
        let issued = issuer.issue_to(&txn, holder, Some(actor), Pkcs12Profile::Modern);
        renewed.push(issued.await?);
        txn.commit().await.map_err(db_error)?;
    }
    if !renewed.is_empty() {
        state.publish_crl().await;
    }
    Ok(renewed)
}

/// "Revoke" on one certificate; the CRL is published at once.
pub async fn revoke_one(
    state: &AppState,
    actor: &Actor,
    id: &str,
    reason: RevocationReason,
) -> Result<(), AppError> {
    let txn = state.db.begin().await.map_err(db_error)?;
    let cert = super::find(&txn, id).await?;
    revoke(&txn, actor, &cert, reason).await?;
    txn.commit().await.map_err(db_error)?;
    state.publish_crl().await;
    Ok(())
}

/// The certificates page's header: the CA and the settings.
pub async fn ca_view(state: &AppState) -> Result<CaView, AppError> {
    let pem = ca::certificate(&state.db)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let settings = settings(&state.db).await?;
    let mut view = ca::describe(&pem).map_err(internal)?;
    view.client_validity_days = settings.client_validity_days;
    view.approval_mode = settings.approval_mode;
    view.https_url = state.https_url();
    Ok(view)
}
