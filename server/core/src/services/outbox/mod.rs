//! The durable mail outbox: a mail is a row first, then a background worker
//! sends it, retrying with back-off. Rows are claimed with a conditional
//! UPDATE (a lease), so several instances on one database send a mail once,
//! and a mail claimed by an instance that died is picked up after its lease.
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::model::OutboxEntry;
use uuid::Uuid;

use super::mail_settings;
use crate::config::{Config, SmtpConfig};
use crate::db::entities::mail_outbox;
use crate::mail::templates::Rendered;
use crate::mail::{Mail, Mailer};

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// Waits before attempts 2, 3, …; after the last, the mail is failed.
pub const BACKOFF: [Duration; 5] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(12 * 3600),
];
const LEASE: Duration = Duration::from_secs(120);

pub async fn enqueue(db: &impl ConnectionTrait, to: &str, mail: Rendered) -> Result<Uuid, DbErr> {
    let now = Utc::now();
    let id = Uuid::new_v4();
    mail_outbox::ActiveModel {
        id: Set(id),
        to_address: Set(to.to_string()),
        subject: Set(mail.subject),
        template: Set(mail.template.to_string()),
        body_text: Set(mail.text),
        body_html: Set(mail.html),
        status: Set(QUEUED.into()),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        lease_token: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        attachments: Set(if mail.attachments.is_empty() {
            None
        } else {
            Some(
                serde_json::to_string(&mail.attachments)
                    .map_err(|e| DbErr::Custom(e.to_string()))?,
            )
        }),
    }
    .insert(db)
    .await?;
    Ok(id)
}

fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(mail_outbox::Column::Status.eq(QUEUED))
                .add(mail_outbox::Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(mail_outbox::Column::Status.eq(SENDING))
                .add(mail_outbox::Column::LockedUntil.lt(now)),
        )
}

/// Claims up to `limit` due mails for this worker.
pub async fn claim_due(
    db: &DatabaseConnection,
    limit: u64,
) -> Result<Vec<mail_outbox::Model>, DbErr> {
    claim_due_for(db, limit, LEASE).await
}

/// `claim_due` with a lease of `lease`; each claimed row carries its token.
async fn claim_due_for(
    db: &DatabaseConnection,
    limit: u64,
    lease: Duration,
) -> Result<Vec<mail_outbox::Model>, DbErr> {
    let now = Utc::now();
    let candidates = mail_outbox::Entity::find()
        .filter(claimable(now))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for mut row in candidates {
        let token = super::lease::new_token();
        let result = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::Status, Expr::value(SENDING))
            .col_expr(mail_outbox::Column::LockedUntil, Expr::value(now + lease))
            .col_expr(mail_outbox::Column::LeaseToken, Expr::value(token.clone()))
            .col_expr(
                mail_outbox::Column::Attempts,
                Expr::col(mail_outbox::Column::Attempts).add(1),
            )
            .filter(mail_outbox::Column::Id.eq(row.id))
            .filter(claimable(now))
            .exec(db)
            .await?;
        if result.rows_affected == 1 {
            row.lease_token = Some(token);
            claimed.push(row);
        }
    }
    Ok(claimed)
}

/// What becomes of a mail after a failed attempt number `attempts`.
pub fn after_failure(attempts: i32, now: DateTime<Utc>) -> (&'static str, DateTime<Utc>) {
    match BACKOFF.get((Ord::max(attempts, 1) - 1) as usize) {
        Some(wait) => (QUEUED, now + *wait),
        None => (FAILED, now),
    }
}

/// Sends every due mail once; returns (sent, failed attempts).
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    from: &str,
) -> Result<(usize, usize), DbErr> {
    deliver_due_for(db, mailer, from, LEASE).await
}

/// `deliver_due` with leases of `lease`: each mail's lease is renewed while
/// the SMTP server takes its time, and its outcome is written only while
/// this worker still holds it, so a slow server cannot make two instances
/// send one mail.
async fn deliver_due_for(
    db: &DatabaseConnection,
    mailer: &Mailer,
    from: &str,
    lease: Duration,
) -> Result<(usize, usize), DbErr> {
    let mut sent = 0;
    let mut failed = 0;
    for row in claim_due_for(db, 20, lease).await? {
        let attempts = row.attempts + 1;
        let token = row.lease_token.clone().unwrap_or_default();
        let renewal = super::lease::keep_renewed(db, "mail_outbox", row.id, token.clone(), lease);
        let result = mailer
            .send(
                from,
                Mail {
                    to: &row.to_address,
                    subject: &row.subject,
                    text: row.body_text.clone(),
                    html: row.body_html.clone(),
                    attachments: row
                        .attachments
                        .as_deref()
                        .and_then(|json| serde_json::from_str(json).ok())
                        .unwrap_or_default(),
                },
            )
            .await;
        drop(renewal);
        let now = Utc::now();
        let mut update = mail_outbox::Entity::update_many()
            .col_expr(
                mail_outbox::Column::LockedUntil,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(mail_outbox::Column::LeaseToken, Expr::value(None::<String>));
        update = match result {
            Ok(_) => {
                sent += 1;
                // The body may hold a live one-time link, which the
                // database otherwise keeps only as a hash: keep no copy.
                update
                    .col_expr(mail_outbox::Column::BodyText, Expr::value(""))
                    .col_expr(mail_outbox::Column::BodyHtml, Expr::value(""))
                    .col_expr(
                        mail_outbox::Column::Attachments,
                        Expr::value(None::<String>),
                    )
                    .col_expr(mail_outbox::Column::Status, Expr::value(SENT))
                    .col_expr(mail_outbox::Column::SentAt, Expr::value(Some(now)))
                    .col_expr(mail_outbox::Column::LastError, Expr::value(None::<String>))
            }
            Err(error) => {
                failed += 1;
                let (status, next) = after_failure(attempts, now);
                tracing::warn!(mail = %row.id, attempts, %error, "mail not sent");
                update
                    .col_expr(mail_outbox::Column::Status, Expr::value(status))
                    .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(next))
                    .col_expr(
                        mail_outbox::Column::LastError,
                        Expr::value(Some(error.to_string())),
                    )
            }
        };
        let written = update
            .filter(mail_outbox::Column::Id.eq(row.id))
            .filter(mail_outbox::Column::LeaseToken.eq(token))
            .exec(db)
            .await?;
        if written.rows_affected != 1 {
            tracing::warn!(mail = %row.id, "mail's lease was taken over while it was sent");
        }
    }
    Ok((sent, failed))
}

/// The background worker: looks for due mail every few seconds, with the
/// mail settings as they are now (saved on `/settings/mail` by any instance).
pub fn spawn_worker(db: DatabaseConnection, config: Arc<Config>, env_public_url: String) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        let mut current: Option<(Option<SmtpConfig>, Mailer)> = None;
        loop {
            tick.tick().await;
            let effective = match mail_settings::effective(&db, &config, &env_public_url).await {
                Ok(e) => e,
                Err(error) => {
                    tracing::warn!(%error, "could not read the mail settings");
                    continue;
                }
            };
            if current.as_ref().map(|c| &c.0) != Some(&effective.smtp) {
                match Mailer::new(effective.smtp.as_ref(), &config.data_dir) {
                    Ok(mailer) => {
                        tracing::info!(transport = mailer.describe(), "mail transport ready");
                        current = Some((effective.smtp.clone(), mailer));
                    }
                    Err(error) => {
                        tracing::warn!(%error, "the mail settings cannot be used");
                        continue;
                    }
                }
            }
            let Some((_, mailer)) = &current else {
                continue;
            };
            if let Err(error) = deliver_due(&db, mailer, &effective.from).await {
                tracing::warn!(%error, "mail outbox pass failed");
            }
        }
    });
}

/// The newest mails, for `/settings/mail`.
pub async fn recent(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<OutboxEntry>, DbErr> {
    let rows = mail_outbox::Entity::find()
        .order_by_desc(mail_outbox::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| OutboxEntry {
            id: m.id.to_string(),
            to: m.to_address,
            subject: m.subject,
            template: m.template,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            next_attempt_at: m.next_attempt_at.to_rfc3339(),
            created_at: m.created_at.to_rfc3339(),
            sent_at: m.sent_at.map(|t| t.to_rfc3339()),
        })
        .collect())
}

/// Mails per status.
pub async fn counts(db: &impl ConnectionTrait) -> Result<Vec<(String, u64)>, DbErr> {
    let rows: Vec<(String, i64)> = mail_outbox::Entity::find()
        .select_only()
        .column(mail_outbox::Column::Status)
        .expr(Expr::col(mail_outbox::Column::Id).count())
        .group_by(mail_outbox::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(s, n)| (s, Ord::max(n, 0) as u64))
        .collect())
}

/// "Retry now": a failed or waiting mail is due at once, with a fresh
/// round of attempts.
pub async fn retry_now(db: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Ok(false);
    };
    let result = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(QUEUED))
        .col_expr(mail_outbox::Column::Attempts, Expr::value(0))
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(mail_outbox::Column::Status.is_in([FAILED, QUEUED]))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

#[cfg(test)]
mod tests;
