//! The PKI checked from outside, by `openssl`: purposes, extensions, dates
//! and revocation.
use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl is installed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `openssl verify -CAfile ca -purpose … [extra…] cert`.
fn verify(ca_file: &str, purpose: &str, cert: &str, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["verify", "-CAfile", ca_file, "-purpose", purpose];
    args.extend_from_slice(extra);
    args.push(cert);
    openssl(&args)
}

/// A fresh folder for one test's files.
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("usher-pki-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A new CA, with its certificate written to `ca.pem` in a fresh folder.
fn ca_on_disk() -> (PathBuf, Ca, String) {
    let dir = scratch();
    let ca = new_ca("Example Ltd", OffsetDateTime::now_utc()).unwrap();
    let ca_file = write(&dir, "ca.pem", &ca.cert_pem);
    (dir, ca, ca_file)
}

fn client(ca: &Ca, username: &str) -> Issued {
    let request = ClientRequest {
        username,
        email: &format!("{username}@example.com"),
        days: 365,
        crl_url: "https://usher.example/pki/crl.der",
    };
    issue_client(ca, &request, OffsetDateTime::now_utc()).unwrap()
}

#[test]
fn the_ca_signs_certificates_and_crls_only() {
    let (_, _, ca_file) = ca_on_disk();
    let (ok, text) = openssl(&["x509", "-in", &ca_file, "-noout", "-text"]);
    assert!(ok, "{text}");
    assert!(text.contains("CN = Usher CA"), "{text}");
    assert!(text.contains("Example Ltd"), "{text}");
    assert!(text.contains("CA:TRUE"), "{text}");
    assert!(text.contains("Certificate Sign, CRL Sign"), "{text}");
    assert!(text.contains("prime256v1"), "{text}");
    let (_, end) = openssl(&["x509", "-in", &ca_file, "-noout", "-enddate"]);
    let year = OffsetDateTime::now_utc().year() + 10;
    assert!(end.contains(&year.to_string()), "{end}");
}

#[test]
fn a_client_certificate_is_for_client_authentication_only() {
    let (dir, ca, ca_file) = ca_on_disk();
    let issued = client(&ca, "jane.doe");
    assert!(issued.serial_hex.len() >= 16, "at least 64 bits");
    let cert = write(&dir, "jane.pem", &issued.cert_pem);
    let (ok, text) = verify(&ca_file, "sslclient", &cert, &[]);
    assert!(ok, "{text}");
    let (ok, text) = verify(&ca_file, "sslserver", &cert, &[]);
    assert!(!ok, "a client certificate must not serve TLS: {text}");
    let (_, text) = openssl(&["x509", "-in", &cert, "-noout", "-text"]);
    assert!(text.contains("Subject: CN = jane.doe"), "{text}");
    assert!(text.contains("email:jane.doe@example.com"), "{text}");
    assert!(text.contains("TLS Web Client Authentication"), "{text}");
    assert!(text.contains("https://usher.example/pki/crl.der"), "{text}");
    let (_, serial) = openssl(&["x509", "-in", &cert, "-noout", "-serial"]);
    assert_eq!(
        serial.trim().trim_start_matches("serial=").to_lowercase(),
        issued.serial_hex
    );

    // Another CA's certificate does not verify against ours.
    let other = new_ca("Someone Else", OffsetDateTime::now_utc()).unwrap();
    let stranger = write(&dir, "stranger.pem", &client(&other, "eve").cert_pem);
    let (ok, _) = verify(&ca_file, "sslclient", &stranger, &[]);
    assert!(!ok);
}

#[test]
fn the_server_certificate_serves_tls_for_its_hosts() {
    let (dir, ca, ca_file) = ca_on_disk();
    let hosts = vec!["usher.example".to_string(), "localhost".to_string()];
    let issued = issue_server(&ca, &hosts, 365, OffsetDateTime::now_utc()).unwrap();
    let cert = write(&dir, "server.pem", &issued.cert_pem);
    let (ok, text) = verify(
        &ca_file,
        "sslserver",
        &cert,
        &["-verify_hostname", "usher.example"],
    );
    assert!(ok, "{text}");
    let (ok, _) = verify(&ca_file, "sslclient", &cert, &[]);
    assert!(!ok);
}

#[test]
fn the_crl_lists_exactly_the_revoked_serials() {
    let now = OffsetDateTime::now_utc();
    let (dir, ca, ca_file) = ca_on_disk();
    let kept = client(&ca, "kept.user");
    let gone = client(&ca, "gone.user");
    let revoked = [Revoked {
        serial_hex: gone.serial_hex.clone(),
        at: now,
        reason: RevocationReason::Superseded,
    }];
    let crl_file = write(&dir, "crl.pem", &crl(&ca, &revoked, 1, now).unwrap());
    let (ok, text) = openssl(&[
        "crl", "-in", &crl_file, "-noout", "-text", "-CAfile", &ca_file,
    ]);
    assert!(ok, "{text}");
    assert!(text.contains("verify OK"), "signed by the CA: {text}");
    assert!(text.to_lowercase().contains(&gone.serial_hex), "{text}");
    assert!(!text.to_lowercase().contains(&kept.serial_hex), "{text}");
    assert!(text.contains("Superseded"), "{text}");

    let check = |issued: &Issued, name: &str| {
        let cert = write(&dir, name, &issued.cert_pem);
        verify(
            &ca_file,
            "sslclient",
            &cert,
            &["-crl_check", "-CRLfile", &crl_file],
        )
    };
    let (ok, text) = check(&kept, "kept.pem");
    assert!(ok, "{text}");
    let (ok, text) = check(&gone, "gone.pem");
    assert!(!ok);
    assert!(text.contains("certificate revoked"), "{text}");
}

#[test]
fn the_pkcs12_opens_with_its_password_in_both_profiles() {
    let (dir, ca, _) = ca_on_disk();
    let issued = client(&ca, "pat.doe");
    for (profile, name) in [
        (Pkcs12Profile::Modern, "modern.p12"),
        (Pkcs12Profile::Legacy, "legacy.p12"),
    ] {
        let password = pkcs12_password();
        assert_eq!(password.len(), 24, "{password}");
        let bytes = pkcs12(&issued, &ca.cert_pem, "pat.doe", &password, profile).unwrap();
        // Round trip through the library that wrote it.
        let store = p12_keystore::KeyStore::from_pkcs12(
            &bytes,
            &password,
            p12_keystore::Pkcs12ImportPolicy::Strict,
        )
        .unwrap();
        let (alias, chain) = store.private_key_chain().unwrap();
        assert_eq!(alias, "pat.doe");
        assert_eq!(chain.key().as_der(), issued.key_der.as_slice());
        assert_eq!(chain.certs()[0].as_der(), issued.cert_der.as_slice());
        assert_eq!(chain.certs().len(), 2, "the CA travels with it");
        // And from outside: openssl opens it with the password only.
        let path = dir.join(name);
        std::fs::write(&path, &bytes).unwrap();
        let file = path.display().to_string();
        let pass = format!("pass:{password}");
        let (ok, text) = openssl(&["pkcs12", "-info", "-in", &file, "-passin", &pass, "-noenc"]);
        assert!(ok, "{name}: {text}");
        assert!(
            text.contains("CN = pat.doe") || text.contains("CN=pat.doe"),
            "{text}"
        );
        assert!(text.contains("PRIVATE KEY"), "{text}");
        match profile {
            Pkcs12Profile::Modern => assert!(text.contains("AES-256-CBC"), "{text}"),
            Pkcs12Profile::Legacy => assert!(text.contains("3-KeyTripleDES"), "{text}"),
        }
        let (wrong, _) = openssl(&[
            "pkcs12",
            "-info",
            "-in",
            &file,
            "-passin",
            "pass:wrong",
            "-noenc",
        ]);
        assert!(!wrong, "{name}: a wrong password must not open it");
    }
    assert_eq!(fingerprint(&issued.cert_der).len(), 64);
    assert_eq!(pem_to_der(&issued.cert_pem).unwrap(), issued.cert_der);
}
