//! Usher's own certificate authority, as plain functions over PEM text: the
//! CA itself, client certificates (clientAuth only), the HTTPS listener's
//! server certificate, and the revocation list. Storage, encryption of the
//! CA key at rest and mailing belong to the callers.
use rand_core::{OsRng, RngCore};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevocationReason, RevokedCertParams, SanType, SerialNumber,
    PKCS_ECDSA_P256_SHA256,
};
use time::{Duration, OffsetDateTime};

/// The CA's validity.
pub const CA_YEARS: i64 = 10;
/// How long a CRL is good for: a new one is made on every revocation and at
/// least daily, well before this.
pub const CRL_DAYS: i64 = 7;

/// The CA certificate and its private key, both PEM.
#[derive(Clone, PartialEq, Eq)]
pub struct Ca {
    pub cert_pem: String,
    pub key_pem: String,
}

/// Never prints the private key.
impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("cert_pem", &self.cert_pem)
            .finish_non_exhaustive()
    }
}

/// A certificate made by the CA, with its new private key (PEM).
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
    /// Lower-case hex, as stored and as `openssl` prints it.
    pub serial_hex: String,
    pub not_after: OffsetDateTime,
}

fn p256() -> Result<KeyPair, rcgen::Error> {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
}

/// 16 random bytes, first bit clear (a positive number of at least 64
/// random bits, as RFC 5280 and the CA/Browser Forum ask).
fn random_serial() -> (SerialNumber, String) {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    (SerialNumber::from_slice(&bytes), hex::encode(bytes))
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

/// A new CA: ECDSA P-256, "Usher CA — <organisation>", ten years, allowed
/// only to sign certificates and CRLs.
pub fn new_ca(organisation: &str, now: OffsetDateTime) -> Result<Ca, rcgen::Error> {
    let key = p256()?;
    let mut params = CertificateParams::default();
    params.distinguished_name = name(&format!("Usher CA — {}", organisation.trim()));
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = now - Duration::minutes(5);
    params.not_after = now + Duration::days(365 * CA_YEARS);
    params.serial_number = Some(random_serial().0);
    params.key_identifier_method = KeyIdMethod::Sha256;
    let cert = params.self_signed(&key)?;
    Ok(Ca {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

fn issuer(ca: &Ca) -> Result<Issuer<'static, KeyPair>, rcgen::Error> {
    Issuer::from_ca_cert_pem(&ca.cert_pem, KeyPair::from_pem(&ca.key_pem)?)
}

/// What a user's certificate says.
pub struct ClientRequest<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub days: i64,
    /// Where the CRL is published (`<public URL>/pki/crl.der`).
    pub crl_url: &'a str,
}

/// A client certificate: CN = username, SAN email, clientAuth only.
pub fn issue_client(
    ca: &Ca,
    request: &ClientRequest<'_>,
    now: OffsetDateTime,
) -> Result<Issued, rcgen::Error> {
    let mut params = CertificateParams::default();
    params.distinguished_name = name(request.username);
    params.subject_alt_names = vec![SanType::Rfc822Name(request.email.try_into()?)];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![request.crl_url.to_string()],
    }];
    sign(ca, params, request.days, now)
}

/// The HTTPS listener's certificate for its host names: serverAuth only.
pub fn issue_server(
    ca: &Ca,
    hosts: &[String],
    days: i64,
    now: OffsetDateTime,
) -> Result<Issued, rcgen::Error> {
    let mut params = CertificateParams::new(hosts.to_vec())?;
    params.distinguished_name = name(hosts.first().map(String::as_str).unwrap_or("usher"));
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    sign(ca, params, days, now)
}

fn sign(
    ca: &Ca,
    mut params: CertificateParams,
    days: i64,
    now: OffsetDateTime,
) -> Result<Issued, rcgen::Error> {
    let key = p256()?;
    let (serial, serial_hex) = random_serial();
    params.serial_number = Some(serial);
    params.not_before = now - Duration::minutes(5);
    params.not_after = now + Duration::days(days.max(1));
    params.use_authority_key_identifier_extension = true;
    params.key_identifier_method = KeyIdMethod::Sha256;
    let not_after = params.not_after;
    let cert = params.signed_by(&key, &issuer(ca)?)?;
    Ok(Issued {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        serial_hex,
        not_after,
    })
}

/// One revoked certificate in the CRL.
pub struct Revoked {
    pub serial_hex: String,
    pub at: OffsetDateTime,
    pub reason: RevocationReason,
}

fn serial_from_hex(serial: &str) -> SerialNumber {
    SerialNumber::from_slice(&hex::decode(serial).unwrap_or_default())
}

/// The CRL (PEM) listing exactly `revoked`, valid for `CRL_DAYS`.
pub fn crl(
    ca: &Ca,
    revoked: &[Revoked],
    number: u64,
    now: OffsetDateTime,
) -> Result<String, rcgen::Error> {
    let params = CertificateRevocationListParams {
        this_update: now,
        next_update: now + Duration::days(CRL_DAYS),
        crl_number: SerialNumber::from(number),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|r| RevokedCertParams {
                serial_number: serial_from_hex(&r.serial_hex),
                revocation_time: r.at,
                reason_code: Some(r.reason),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    params.signed_by(&issuer(ca)?)?.pem()
}

#[cfg(test)]
#[path = "pki_tests.rs"]
mod tests;
