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
    pub cert_der: Vec<u8>,
    /// PKCS#8.
    pub key_der: Vec<u8>,
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
        cert_der: cert.der().to_vec(),
        key_der: key.serialize_der(),
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

/// SHA-256 of a certificate's DER, lower-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(der))
}

/// The DER of the first certificate in PEM text.
pub fn pem_to_der(pem: &str) -> anyhow::Result<Vec<u8>> {
    let (_, parsed) = x509_parser::pem::parse_x509_pem(pem.as_bytes())?;
    Ok(parsed.contents)
}

/// How the PKCS#12 file is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pkcs12Profile {
    /// AES-256-CBC with PBKDF2, HMAC-SHA-256 MAC: what current browsers and
    /// OpenSSL 3 read.
    Modern,
    /// 3DES with SHA-1: for old keychains (macOS before 14, Windows 7).
    Legacy,
}

/// The user's key, certificate and the CA certificate in one PKCS#12 file,
/// under `password`, with the username as its friendly name.
pub fn pkcs12(
    issued: &Issued,
    ca_cert_pem: &str,
    alias: &str,
    password: &str,
    profile: Pkcs12Profile,
) -> anyhow::Result<Vec<u8>> {
    use p12_keystore::{
        Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey,
        PrivateKeyChain,
    };
    let leaf = Certificate::from_der(&issued.cert_der)?;
    let ca = Certificate::from_der(&pem_to_der(ca_cert_pem)?)?;
    let key = PrivateKey::from_der(&issued.key_der)?;
    let local_key_id = hex::decode(&issued.serial_hex)?;
    let chain = PrivateKeyChain::new(local_key_id, key, [leaf, ca]);
    let mut store = KeyStore::new();
    store.add_entry(alias, KeyStoreEntry::PrivateKeyChain(chain));
    let writer = store.writer(password);
    let writer = match profile {
        Pkcs12Profile::Modern => writer
            .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
            .mac_algorithm(MacAlgorithm::HmacSha256),
        Pkcs12Profile::Legacy => writer
            .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
            .mac_algorithm(MacAlgorithm::HmacSha1),
    };
    Ok(writer.write()?)
}

/// A PKCS#12 password that is easy to type from the screen: five groups of
/// four letters and digits without look-alikes (about 100 bits).
pub fn pkcs12_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789";
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests;
