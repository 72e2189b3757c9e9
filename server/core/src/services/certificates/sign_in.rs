//! The look-up certificate sign-in makes on every attempt, and why it refuses.
use super::*;

/// Why a presented certificate does not sign anyone in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefusal {
    NotPresented,
    Unknown,
    Revoked,
    Expired,
    Inactive,
}

impl SignInRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInRefusal::NotPresented => "none",
            SignInRefusal::Unknown => "unknown",
            SignInRefusal::Revoked => "revoked",
            SignInRefusal::Expired => "expired",
            SignInRefusal::Inactive => "inactive",
        }
    }
}

/// The user a presented certificate (DER) signs in, looked up by serial and
/// fingerprint in the database on every attempt, so neither a resumed TLS
/// session nor a CRL not yet reloaded lets a revoked certificate in.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    der: Option<&[u8]>,
) -> Result<Result<user::Model, SignInRefusal>, sea_orm::DbErr> {
    let Some(der) = der else {
        return Ok(Err(SignInRefusal::NotPresented));
    };
    let Ok((_, parsed)) = x509_parser::parse_x509_certificate(der) else {
        return Ok(Err(SignInRefusal::Unknown));
    };
    let serial = hex::encode(parsed.raw_serial());
    let found = certificate::Entity::find()
        .filter(certificate::Column::SerialHex.eq(serial))
        .one(db)
        .await?;
    let Some(cert) = found.filter(|c| c.fingerprint_sha256 == pki::fingerprint(der)) else {
        return Ok(Err(SignInRefusal::Unknown));
    };
    if cert.revoked_at.is_some() {
        return Ok(Err(SignInRefusal::Revoked));
    }
    if cert.not_after <= Utc::now() {
        return Ok(Err(SignInRefusal::Expired));
    }
    let owner = user::Entity::find()
        .filter(user::Column::Id.eq(cert.user_id))
        .one(db)
        .await?;
    Ok(match owner {
        Some(u)
            if u.status == UserStatus::Active.as_str()
                || u.status == UserStatus::CertificateSent.as_str() =>
        {
            Ok(u)
        }
        Some(_) => Err(SignInRefusal::Inactive),
        None => Err(SignInRefusal::Unknown),
    })
}

/// After a certificate sign-in: "Certificate sent" becomes Active (the
/// sign-in itself records the time, which makes it "Completed").
pub async fn complete(db: &impl ConnectionTrait, user: &user::Model) -> Result<(), sea_orm::DbErr> {
    if user.status == UserStatus::CertificateSent.as_str() {
        user::Entity::update_many()
            .col_expr(
                user::Column::Status,
                Expr::value(UserStatus::Active.as_str()),
            )
            .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(user::Column::Id.eq(user.id))
            .filter(user::Column::Status.eq(UserStatus::CertificateSent.as_str()))
            .exec(db)
            .await?;
    }
    Ok(())
}
