//! Mailing holders before their certificates expire.
use super::*;

/// Reminders are mailed this many days before expiry. The nearer step is
/// looked at first, so a certificate first seen 5 days before expiry gets
/// one reminder, not two.
pub const REMINDER_DAYS: [i32; 2] = [7, 30];

/// Mails each holder of an unrevoked certificate that expires within 30 or
/// 7 days, once per step. Each reminder is claimed with a conditional
/// UPDATE in the same transaction as its mail, so instances running this
/// at once send it once. Returns how many were mailed.
pub async fn remind_expiring(
    db: &sea_orm::DatabaseConnection,
    public_url: &str,
) -> Result<u64, AppError> {
    use sea_orm::TransactionTrait;
    let now = Utc::now();
    let mut mailed = 0;
    for days in REMINDER_DAYS {
        let due = certificate::Entity::find()
            .filter(certificate::Column::RevokedAt.is_null())
            .filter(certificate::Column::NotAfter.gt(now))
            .filter(certificate::Column::NotAfter.lte(now + Duration::days(days.into())))
            .filter(
                Condition::any()
                    .add(certificate::Column::ExpiryNotice.eq(0))
                    .add(certificate::Column::ExpiryNotice.gt(days)),
            )
            .limit(500)
            .all(db)
            .await
            .map_err(db_error)?;
        for cert in due {
            let txn = db.begin().await.map_err(db_error)?;
            let claimed = certificate::Entity::update_many()
                .col_expr(certificate::Column::ExpiryNotice, Expr::value(days))
                .filter(certificate::Column::Id.eq(cert.id))
                .filter(certificate::Column::ExpiryNotice.eq(cert.expiry_notice))
                .exec(&txn)
                .await
                .map_err(db_error)?;
            let holder = user::Entity::find()
                .filter(user::Column::Id.eq(cert.user_id))
                .one(&txn)
                .await
                .map_err(db_error)?;
            if let (1, Some(holder)) = (claimed.rows_affected, holder) {
                let left = (cert.not_after - now).num_days().max(0);
                let expires = cert.not_after.format("%Y-%m-%d").to_string();
                let mail = crate::mail::certificate_templates::certificate_expiring(
                    public_url,
                    &holder.first_name,
                    left,
                    &expires,
                );
                outbox::enqueue(&txn, &holder.email, mail)
                    .await
                    .map_err(db_error)?;
                mailed += 1;
            }
            txn.commit().await.map_err(db_error)?;
        }
    }
    Ok(mailed)
}
