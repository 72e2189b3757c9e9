//! The outbox: backoff, sending, retries; and leases (one instance sends
//! each mail).
use super::*;
use crate::config::Config;
use crate::mail::templates::admin_welcome;
use crate::testkit::TestDb;
use sea_orm::EntityTrait;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

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
    assert!(row.body_text.is_empty(), "no copy of a sent mail's links");
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

#[tokio::test]
async fn retry_now_requeues_only_failed_or_waiting_mail() {
    let t = TestDb::new().await;
    let id = enqueue(&t.db, "jane@example.com", admin_welcome("http://x", "jane"))
        .await
        .unwrap();
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(FAILED))
        .col_expr(mail_outbox::Column::Attempts, Expr::value(6))
        .exec(&t.db)
        .await
        .unwrap();
    assert_eq!(counts(&t.db).await.unwrap(), vec![(FAILED.to_string(), 1)]);
    assert!(retry_now(&t.db, &id.to_string()).await.unwrap());
    let row = mail_outbox::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.status.as_str(), row.attempts), (QUEUED, 0));
    assert_eq!(claim_due(&t.db, 10).await.unwrap().len(), 1, "due at once");
    // Being sent (claimed): nothing to retry; nor for an unknown id.
    assert!(!retry_now(&t.db, &id.to_string()).await.unwrap());
    assert!(!retry_now(&t.db, "not-an-id").await.unwrap());
    let listed = recent(&t.db, 10).await.unwrap();
    assert_eq!(listed[0].to, "jane@example.com");
    t.close().await;
}

#[tokio::test]
async fn saved_mail_settings_win_over_the_environment() {
    let t = TestDb::new().await;
    let dir = std::env::temp_dir().join(format!("usher-mailset-{}", Uuid::new_v4()));
    let env = config(&dir, Some(2525));
    let before = mail_settings::effective(&t.db, &env, "http://env.example")
        .await
        .unwrap();
    assert_eq!(before.smtp.as_ref().map(|s| s.port), Some(2525));
    assert_eq!(before.public_url, "http://env.example");

    let admin = crate::testkit::add_root(&t.db).await;
    let input = mail_settings::Input {
        host: String::new(),
        security: "none".into(),
        from_name: "Ops Team".into(),
        from_address: "ops@example.com".into(),
        public_url: "https://usher.example.com".into(),
        ..Default::default()
    };
    let actor = crate::testkit::actor_for(&admin);
    mail_settings::save(&t.db, &actor, &input, None)
        .await
        .unwrap();
    let after = mail_settings::effective(&t.db, &env, "http://env.example")
        .await
        .unwrap();
    assert_eq!(after.smtp, None, "no host: the file outbox");
    assert_eq!(after.from, "Ops Team <ops@example.com>");
    assert_eq!(after.public_url, "https://usher.example.com");
    let answer = mail_settings::send_test(&after, &dir, "jane@example.com")
        .await
        .unwrap();
    assert!(answer.contains("file outbox"), "{answer}");
    assert_eq!(std::fs::read_dir(dir.join("outbox")).unwrap().count(), 1);
    let bad = mail_settings::send_test(&after, &dir, "not an address").await;
    assert!(bad.unwrap_err().field_message("to").is_some());
    std::fs::remove_dir_all(dir).ok();
    t.close().await;
}

// A slow SMTP server and two instances: the mail is sent once. The sender
// renews its lease while the server takes its time, so the other instance
// cannot claim the mail; and a runner whose lease was taken over writes
// nothing.
// Leases: one instance sends each mail.

/// An SMTP server that takes `delay` to accept each message; counts them.
async fn slow_smtp(delay: Duration) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let count = count.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 slow.test ESMTP\r\n").await.ok();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if in_data {
                        if line != "." {
                            continue;
                        }
                        in_data = false;
                        tokio::time::sleep(delay).await;
                        count.fetch_add(1, Ordering::SeqCst);
                        b"250 queued\r\n"
                    } else {
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        match verb.as_str() {
                            "EHLO" | "HELO" => b"250 slow.test\r\n",
                            "DATA" => {
                                in_data = true;
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.ok();
                                return;
                            }
                            _ => b"250 ok\r\n",
                        }
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn a_slow_smtp_server_gets_each_mail_once_from_two_instances() {
    let t = TestDb::new().await;
    let (port, accepted) = slow_smtp(Duration::from_millis(2500)).await;
    let smtp = crate::config::SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: crate::config::SmtpSecurity::None,
        username: None,
        password: None,
    };
    let mailer = Mailer::new(Some(&smtp), &std::env::temp_dir()).unwrap();
    enqueue(&t.db, "jane@example.com", admin_welcome("http://x", "jane"))
        .await
        .unwrap();
    // Leases of 600 ms: without renewal the second instance would claim the
    // mail again while the first still waits for the server.
    let lease = Duration::from_millis(600);
    let from = "Usher <usher@localhost>";
    let first = deliver_due_for(&t.db, &mailer, from, lease);
    let second = async {
        let mut sent = (0, 0);
        for _ in 0..6 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let (s, f) = deliver_due_for(&t.db, &mailer, from, lease).await.unwrap();
            sent = (sent.0 + s, sent.1 + f);
        }
        sent
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first.unwrap(), (1, 0));
    assert_eq!(second, (0, 0));
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "the server got the mail once"
    );
    let row = mail_outbox::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.status.as_str(), row.attempts), (SENT, 1));
    t.close().await;
}

#[tokio::test]
async fn a_runner_whose_lease_was_taken_over_writes_nothing() {
    let t = TestDb::new().await;
    enqueue(&t.db, "jane@example.com", admin_welcome("http://x", "jane"))
        .await
        .unwrap();
    let stale = claim_due_for(&t.db, 1, Duration::from_millis(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let fresh = claim_due_for(&t.db, 1, LEASE).await.unwrap();
    assert_eq!(fresh.len(), 1, "the lease ran out, so another claims it");
    let old = stale[0].lease_token.clone().unwrap();
    assert!(
        !super::super::lease::renew(&t.db, "mail_outbox", stale[0].id, &old, LEASE)
            .await
            .unwrap()
    );
    let new = fresh[0].lease_token.clone().unwrap();
    assert!(
        super::super::lease::renew(&t.db, "mail_outbox", fresh[0].id, &new, LEASE)
            .await
            .unwrap()
    );
    t.close().await;
}
