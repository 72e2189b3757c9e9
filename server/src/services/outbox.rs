//! The durable mail outbox: a mail is a row first, then a background worker
//! sends it, retrying with back-off. Rows are claimed with a conditional
//! UPDATE (a lease), so several instances on one database send a mail once,
//! and a mail claimed by an instance that died is picked up after its lease.
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

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
        created_at: Set(now),
        sent_at: Set(None),
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
    let now = Utc::now();
    let candidates = mail_outbox::Entity::find()
        .filter(claimable(now))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for row in candidates {
        let result = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::Status, Expr::value(SENDING))
            .col_expr(mail_outbox::Column::LockedUntil, Expr::value(now + LEASE))
            .col_expr(
                mail_outbox::Column::Attempts,
                Expr::col(mail_outbox::Column::Attempts).add(1),
            )
            .filter(mail_outbox::Column::Id.eq(row.id))
            .filter(claimable(now))
            .exec(db)
            .await?;
        if result.rows_affected == 1 {
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
    let mut sent = 0;
    let mut failed = 0;
    for row in claim_due(db, 20).await? {
        let attempts = row.attempts + 1;
        let result = mailer
            .send(
                from,
                Mail {
                    to: &row.to_address,
                    subject: &row.subject,
                    text: row.body_text.clone(),
                    html: row.body_html.clone(),
                },
            )
            .await;
        let now = Utc::now();
        let mut update = mail_outbox::ActiveModel {
            id: Set(row.id),
            locked_until: Set(None),
            ..Default::default()
        };
        match result {
            Ok(()) => {
                update.status = Set(SENT.into());
                update.sent_at = Set(Some(now));
                update.last_error = Set(None);
                sent += 1;
            }
            Err(error) => {
                let (status, next) = after_failure(attempts, now);
                tracing::warn!(mail = %row.id, attempts, %error, "mail not sent");
                update.status = Set(status.into());
                update.next_attempt_at = Set(next);
                update.last_error = Set(Some(error.to_string()));
                failed += 1;
            }
        }
        update.update(db).await?;
    }
    Ok((sent, failed))
}

/// The background worker: looks for due mail every few seconds.
pub fn spawn_worker(db: DatabaseConnection, mailer: Mailer, from: String) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Err(error) = deliver_due(&db, &mailer, &from).await {
                tracing::warn!(%error, "mail outbox pass failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::mail::templates::admin_welcome;
    use crate::testkit::TestDb;

    fn config(dir: &std::path::Path, smtp_port: Option<u16>) -> Config {
        let mut c = crate::testkit::state_config(dir.to_path_buf());
        c.smtp = smtp_port.map(|port| crate::config::SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: crate::config::SmtpSecurity::None,
            username: None,
            password: None,
        });
        c
    }

    #[test]
    fn backoff_schedule() {
        let now = Utc::now();
        assert_eq!(
            after_failure(1, now),
            (QUEUED, now + Duration::from_secs(60))
        );
        assert_eq!(
            after_failure(5, now),
            (QUEUED, now + Duration::from_secs(12 * 3600))
        );
        assert_eq!(after_failure(6, now).0, FAILED);
    }

    #[tokio::test]
    async fn file_outbox_delivers_once() {
        let t = TestDb::new().await;
        let dir = std::env::temp_dir().join(format!("usher-outbox-{}", Uuid::new_v4()));
        let mailer = Mailer::from_config(&config(&dir, None)).unwrap();
        enqueue(&t.db, "jane@example.com", admin_welcome("http://x", "jane"))
            .await
            .unwrap();
        assert_eq!(
            deliver_due(&t.db, &mailer, "Usher <usher@localhost>")
                .await
                .unwrap(),
            (1, 0)
        );
        assert_eq!(
            deliver_due(&t.db, &mailer, "Usher <usher@localhost>")
                .await
                .unwrap(),
            (0, 0)
        );
        let files: Vec<_> = std::fs::read_dir(dir.join("outbox")).unwrap().collect();
        assert_eq!(files.len(), 1);
        let row = mail_outbox::Entity::find()
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.status.as_str(), row.attempts), (SENT, 1));
        std::fs::remove_dir_all(dir).ok();
        t.close().await;
    }

    #[tokio::test]
    async fn smtp_down_keeps_the_mail_queued() {
        let t = TestDb::new().await;
        // A port nothing listens on: bind, note it, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir();
        let mailer = Mailer::from_config(&config(&dir, Some(port))).unwrap();
        enqueue(&t.db, "jane@example.com", admin_welcome("http://x", "jane"))
            .await
            .unwrap();
        assert_eq!(
            deliver_due(&t.db, &mailer, "Usher <usher@localhost>")
                .await
                .unwrap(),
            (0, 1)
        );
        let row = mail_outbox::Entity::find()
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.status.as_str(), row.attempts), (QUEUED, 1));
        assert!(row.last_error.is_some());
        assert!(row.next_attempt_at > Utc::now() + chrono::Duration::seconds(50));
        // Not due yet: nothing is claimed.
        assert!(claim_due(&t.db, 10).await.unwrap().is_empty());
        t.close().await;
    }
}
