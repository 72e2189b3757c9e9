//! A slow SMTP server and two instances: the mail is sent once. The sender
//! renews its lease while the server takes its time, so the other instance
//! cannot claim the mail; and a runner whose lease was taken over writes
//! nothing.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::EntityTrait;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::*;
use crate::mail::templates::admin_welcome;
use crate::testkit::TestDb;

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
