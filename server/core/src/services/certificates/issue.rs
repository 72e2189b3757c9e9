//! Issuing one certificate: the PKCS#12 is mailed, its password returned
//! once, the private key kept nowhere.
use super::*;
use crate::services::internal;

/// What to issue, to whom.
pub struct Issue<'a> {
    pub user: &'a user::Model,
    pub days: i64,
    pub profile: Pkcs12Profile,
    /// The admin issuing; none when Usher issues on its own.
    pub actor: Option<&'a Actor>,
    /// Base of the CRL address in the certificate.
    pub public_url: &'a str,
    /// The HTTPS sign-in page named in the mail.
    pub sign_in_url: &'a str,
}

pub(super) fn to_chrono(t: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap_or_default()
}

/// Issues a certificate to `user`, records it and queues the mail with the
/// PKCS#12 file, all on `txn`. The password is returned, never stored.
pub async fn issue(
    txn: &impl ConnectionTrait,
    ca: &Ca,
    request: Issue<'_>,
) -> Result<IssuedCertificate, AppError> {
    let user = request.user;
    let crl_url = format!("{}/pki/crl.der", request.public_url);
    let now = time::OffsetDateTime::now_utc();
    let issued = pki::issue_client(
        ca,
        &pki::ClientRequest {
            username: &user.username,
            email: &user.email,
            days: request.days,
            crl_url: &crl_url,
        },
        now,
    )
    .map_err(internal)?;
    let password = pki::pkcs12_password();
    let pkcs12 = pki::pkcs12(
        &issued,
        &ca.cert_pem,
        &user.username,
        &password,
        request.profile,
    )
    .map_err(internal)?;
    let not_after = to_chrono(issued.not_after);
    let record = certificate::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user.id),
        username: Set(user.username.clone()),
        serial_hex: Set(issued.serial_hex.clone()),
        fingerprint_sha256: Set(pki::fingerprint(&issued.cert_der)),
        issued_at: Set(to_chrono(now)),
        not_after: Set(not_after),
        issued_by: Set(request.actor.map(|a| a.username.clone())),
        revoked_at: Set(None),
        revocation_reason: Set(None),
        expiry_notice: Set(0),
    };
    certificate::Entity::insert(record)
        .exec_without_returning(txn)
        .await
        .map_err(db_error)?;
    let expires = not_after.format("%Y-%m-%d").to_string();
    let mail = certificate_issued(CertificateMail {
        public_url: request.public_url,
        first_name: &user.first_name,
        username: &user.username,
        expires: &expires,
        pkcs12,
        ca_pem: &ca.cert_pem,
        sign_in_url: request.sign_in_url,
    });
    outbox::enqueue(txn, &user.email, mail)
        .await
        .map_err(db_error)?;
    let details = serde_json::json!({
        "serial": issued.serial_hex,
        "not_after": not_after.to_rfc3339(),
        "format": match request.profile { Pkcs12Profile::Modern => "aes-256", Pkcs12Profile::Legacy => "3des" },
    });
    let target = ("user", user.id.to_string(), user.username.as_str());
    match request.actor {
        Some(actor) => {
            audit::record_change(txn, actor, "certificate.issue", target, Some(details)).await?
        }
        None => audit::record(
            txn,
            audit::Event {
                action: "certificate.issue",
                target_kind: Some("user"),
                target_id: Some(user.id.to_string()),
                target_name: Some(&user.username),
                success: true,
                details: Some(details),
                ..Default::default()
            },
        )
        .await
        .map_err(db_error)?,
    }
    Ok(IssuedCertificate {
        username: user.username.clone(),
        serial_hex: issued.serial_hex,
        password,
        emailed_to: user.email.clone(),
        not_after: not_after.to_rfc3339(),
    })
}
