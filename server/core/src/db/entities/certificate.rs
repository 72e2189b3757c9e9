use sea_orm::entity::prelude::*;

/// A client certificate Usher issued to a user. Only the facts are kept
/// (never the private key); rows stay after revocation and after the user
/// is deleted, so the CRL keeps listing them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// The certificate's CN, kept for display after the user is deleted.
    pub username: String,
    /// Lower-case hex, as `openssl` prints it.
    #[sea_orm(unique)]
    pub serial_hex: String,
    /// SHA-256 of the DER, lower-case hex: sign-in matches serial and this.
    pub fingerprint_sha256: String,
    pub issued_at: DateTimeUtc,
    pub not_after: DateTimeUtc,
    /// Username of the admin who issued it (none when automatic).
    pub issued_by: Option<String>,
    pub revoked_at: Option<DateTimeUtc>,
    /// `shared::model::RevocationReason::as_str`.
    pub revocation_reason: Option<String>,
    /// The last expiry reminder mailed: 30 or 7 (days before), 0 for none.
    pub expiry_notice: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
