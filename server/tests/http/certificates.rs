//! The published CA certificate, read by openssl.
use super::*;

/// Every permission-checked server function × {anonymous, General user,
/// a custom read-only role, Admin}.
#[tokio::test]
async fn the_ca_certificate_is_published_and_openssl_reads_it() {
    let s = start().await;
    let pem = s.client.get(s.url("/pki/ca.pem")).send().await.unwrap();
    assert_eq!(pem.status(), StatusCode::OK);
    let pem = pem.text().await.unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let der = s.client.get(s.url("/pki/ca.der")).send().await.unwrap();
    assert_eq!(der.status(), StatusCode::OK);
    let der = der.bytes().await.unwrap();
    let dir = std::env::temp_dir().join(format!("usher-ca-http-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ca.der"), &der).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-subject", "-in"])
        .arg(dir.join("ca.der"))
        .output()
        .unwrap();
    let subject = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && subject.contains("Usher CA"),
        "{subject}"
    );
    s.stop().await;
}
