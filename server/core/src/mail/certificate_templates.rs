//! The mails about a user's certificate: the certificate itself (a PKCS#12
//! file and the CA certificate attached, with import steps), and the
//! reminders before it expires. None contains the PKCS#12 password.
use super::templates::{compose, hello, Rendered};
use super::Attachment;

/// What goes into the certificate mail.
pub struct CertificateMail<'a> {
    pub public_url: &'a str,
    pub first_name: &'a str,
    pub username: &'a str,
    /// "2027-11-28".
    pub expires: &'a str,
    pub pkcs12: Vec<u8>,
    pub ca_pem: &'a str,
    /// The sign-in page where the certificate is used.
    pub sign_in_url: &'a str,
}

/// The certificate and the CA certificate, with how to import them.
pub fn certificate_issued(m: CertificateMail<'_>) -> Rendered {
    let file = format!("{}.p12", m.username);
    let lines = [
        hello(m.first_name),
        format!("Your Usher certificate is attached as {file}, with Usher's CA certificate (usher-ca.pem). It is valid until {}. Your administrator gives you its password separately; it is not in this mail.", m.expires),
        "Chrome and Edge on Windows: open the .p12 file, follow the Certificate Import Wizard and type the password. Then open usher-ca.pem and install it under \"Trusted Root Certification Authorities\".".to_string(),
        "Chrome on Linux: Settings → Privacy and security → Security → Manage certificates → Your certificates → Import the .p12 file; then Authorities → Import usher-ca.pem and trust it for websites.".to_string(),
        "Firefox: Settings → Privacy & Security → Certificates → View Certificates → Your Certificates → Import the .p12 file; then Authorities → Import usher-ca.pem and tick \"Trust this CA to identify websites\".".to_string(),
        "macOS (Safari, Chrome): double-click the .p12 file to add it to the login keychain, then double-click usher-ca.pem, open it in Keychain Access and set \"When using this certificate\" to \"Always Trust\".".to_string(),
        "Then open the sign-in page and choose \"Sign in with certificate\". If the file does not import on an older system, ask your administrator for one in the compatible format.".to_string(),
    ];
    let mut mail = compose(
        "certificate_issued",
        "Your Usher certificate",
        &lines,
        Some(("Sign in with certificate", m.sign_in_url)),
        lines.len(),
    );
    mail.attachments = vec![
        Attachment {
            filename: file,
            content_type: "application/x-pkcs12".into(),
            bytes: m.pkcs12,
        },
        Attachment {
            filename: "usher-ca.pem".into(),
            content_type: "application/x-pem-file".into(),
            bytes: m.ca_pem.as_bytes().to_vec(),
        },
    ];
    mail
}

/// 30 and 7 days before a certificate expires.
pub fn certificate_expiring(
    public_url: &str,
    first_name: &str,
    days: i64,
    expires: &str,
) -> Rendered {
    let lines = [
        hello(first_name),
        format!("Your Usher certificate expires in {days} days, on {expires}. After that it no longer signs you in."),
        "Ask your administrator to renew it; the new certificate comes by mail.".to_string(),
    ];
    compose(
        "certificate_expiring",
        &format!("Your Usher certificate expires in {days} days"),
        &lines,
        Some(("Open Usher", &format!("{public_url}/account"))),
        lines.len(),
    )
}
