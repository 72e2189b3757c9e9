//! Certificate sign-in over the HTTPS listener, driven by the real `curl`
//! with client certificates: a valid one signs in; none, another CA's, a
//! revoked, an expired one and a deactivated user's are refused.
use std::path::{Path, PathBuf};
use std::process::Command;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use usher_core::db::entities::{certificate, mail_outbox};
use usher_core::pki::Pkcs12Profile;
use usher_core::services::{ca, certificates, lifecycle};

use super::*;

struct Tls {
    base: String,
    dir: PathBuf,
    ca_file: String,
}

async fn start_https(s: &Server) -> Tls {
    let app = usher_server::http::build(s.state.clone());
    let hosts = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let addr = usher_server::pki::https::spawn(
        s.state.clone(),
        app,
        "127.0.0.1:0".parse().unwrap(),
        hosts,
    )
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("usher-mtls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = ca::certificate(&s.db.db).await.unwrap().unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, pem).unwrap();
    Tls {
        base: format!("https://127.0.0.1:{}", addr.port()),
        ca_file: ca_file.display().to_string(),
        dir,
    }
}

/// Issues `username` a certificate as the admin would; returns the mailed
/// PKCS#12 written to a file, and its password.
async fn issue_p12(s: &Server, dir: &Path, username: &str) -> (String, String) {
    let db = &s.db.db;
    let the_ca = ca::load(db, &testkit::TEST_CA_KEY).await.unwrap();
    let user = users::find(db, username).await.unwrap();
    let issued = certificates::issue(
        db,
        &the_ca,
        certificates::Issue {
            user: &user,
            days: 30,
            profile: Pkcs12Profile::Modern,
            actor: None,
            public_url: "http://127.0.0.1",
            sign_in_url: "https://127.0.0.1/login",
        },
    )
    .await
    .unwrap();
    let mail = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq(user.email.clone()))
        .filter(mail_outbox::Column::Template.eq("certificate_issued"))
        .all(db)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let files: Vec<usher_core::mail::Attachment> =
        serde_json::from_str(mail.attachments.as_deref().unwrap()).unwrap();
    let path = dir.join(format!("{username}-{}.p12", &issued.serial_hex[..8]));
    std::fs::write(&path, &files[0].bytes).unwrap();
    (path.display().to_string(), issued.password)
}

/// `curl` GET of `/auth/certificate`: (exit ok, status, Location, headers).
fn curl_sign_in(tls: &Tls, cert: Option<(&str, &str)>) -> (bool, String, String) {
    let mut cmd = Command::new("curl");
    cmd.args([
        "-s",
        "--max-time",
        "20",
        "-D",
        "-",
        "-o",
        "/dev/null",
        "--cacert",
        &tls.ca_file,
    ]);
    if let Some((file, password)) = cert {
        cmd.args([
            "--cert-type",
            "P12",
            "--cert",
            &format!("{file}:{password}"),
        ]);
    }
    let out = cmd
        .arg(format!("{}/auth/certificate", tls.base))
        .output()
        .expect("curl is installed");
    let headers = String::from_utf8_lossy(&out.stdout).to_string();
    let location = headers
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .unwrap_or("")
        .trim()
        .to_string();
    (out.status.success(), location, headers)
}

// curl blocks its thread: the server needs another one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_sign_in_with_curl() {
    let s = start().await;
    let tls = start_https(&s).await;

    // No certificate: the page says so.
    let (ok, location, _) = curl_sign_in(&tls, None);
    assert!(ok);
    assert_eq!(location, "/login?certificate=none");

    // A valid certificate signs in, with a Secure session cookie.
    let (p12, password) = issue_p12(&s, &tls.dir, "gen.user").await;
    let (ok, location, headers) = curl_sign_in(&tls, Some((&p12, &password)));
    assert!(ok, "{headers}");
    assert_eq!(location, "/", "{headers}");
    assert!(headers.contains("__Host-usher_session="), "{headers}");
    assert!(headers.to_lowercase().contains("; secure"), "{headers}");

    // Revoked: refused, with the reason.
    let row = certificate::Entity::find()
        .filter(certificate::Column::Username.eq("gen.user"))
        .one(&s.db.db)
        .await
        .unwrap()
        .unwrap();
    let admin = users::find(&s.db.db, "root.admin").await.unwrap();
    let actor = testkit::actor_for(&admin);
    certificates::revoke(
        &s.db.db,
        &actor,
        &row,
        app::model::RevocationReason::KeyCompromise,
    )
    .await
    .unwrap();
    let (_, location, headers) = curl_sign_in(&tls, Some((&p12, &password)));
    assert_eq!(location, "/login?certificate=revoked", "{headers}");

    // Expired (by the database's record): refused.
    let (p12, password) = issue_p12(&s, &tls.dir, "gen.user").await;
    certificate::Entity::update_many()
        .col_expr(
            certificate::Column::NotAfter,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(&s.db.db)
        .await
        .unwrap();
    let (_, location, _) = curl_sign_in(&tls, Some((&p12, &password)));
    assert_eq!(location, "/login?certificate=expired");

    // A deactivated user's certificate: refused (deactivation revokes it).
    testkit::add_user(&s.db.db, "soon.gone", app::model::UserStatus::Active).await;
    let (p12, password) = issue_p12(&s, &tls.dir, "soon.gone").await;
    let (_, location, _) = curl_sign_in(&tls, Some((&p12, &password)));
    assert_eq!(location, "/", "valid before deactivation");
    lifecycle::set_active(&s.db.state(), &actor, "soon.gone", false)
        .await
        .unwrap();
    let (_, location, _) = curl_sign_in(&tls, Some((&p12, &password)));
    assert_eq!(location, "/login?certificate=revoked");

    // Another CA's certificate does not even complete the handshake.
    let other = usher_core::pki::new_ca("Elsewhere", time::OffsetDateTime::now_utc()).unwrap();
    let stranger = usher_core::pki::issue_client(
        &other,
        &usher_core::pki::ClientRequest {
            username: "gen.user",
            email: "gen@example.com",
            days: 30,
            crl_url: "http://127.0.0.1/pki/crl.der",
        },
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let stranger_p12 = tls.dir.join("stranger.p12");
    let bytes =
        usher_core::pki::pkcs12(&stranger, &other.cert_pem, "x", "pw", Pkcs12Profile::Modern)
            .unwrap();
    std::fs::write(&stranger_p12, bytes).unwrap();
    let (ok, location, _) = curl_sign_in(&tls, Some((&stranger_p12.display().to_string(), "pw")));
    assert!(!ok && location.is_empty(), "refused at the handshake");

    // The CRL is published and lists the revoked serials.
    let crl = s.client.get(s.url("/pki/crl.pem")).send().await.unwrap();
    assert_eq!(crl.status(), StatusCode::OK);
    let crl_file = tls.dir.join("crl.pem");
    std::fs::write(&crl_file, crl.text().await.unwrap()).unwrap();
    let out = Command::new("openssl")
        .args(["crl", "-noout", "-text", "-CAfile", &tls.ca_file, "-in"])
        .arg(&crl_file)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("verify OK"), "{text}");
    assert_eq!(text.matches("Serial Number:").count(), 2, "{text}");
    s.stop().await;
}
