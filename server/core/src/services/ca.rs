//! Usher's certificate authority as stored: made on first start, kept in the
//! database (so every instance signs with the same CA), its private key
//! sealed with AES-256-GCM under a key that never enters the database.
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::Context;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand_core::{OsRng, RngCore};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::db::entities::setting;
use crate::pki::{self, Ca};

const KEY: &str = "pki.ca";

/// The key that seals the CA's private key: from `USHER_CA_KEY`, else from
/// the key file, which is made (mode 0600) when it does not exist yet.
pub fn sealing_key(config: &Config) -> anyhow::Result<[u8; 32]> {
    if let Some(encoded) = &config.ca_key {
        return decode_key(encoded).context("USHER_CA_KEY must be base64 of 32 bytes");
    }
    let path = config
        .ca_key_file
        .clone()
        .unwrap_or_else(|| config.data_dir.join("ca.key"));
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the CA key file {}", path.display()))?;
        return decode_key(&text)
            .with_context(|| format!("{} must hold base64 of 32 bytes", path.display()));
    }
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    write_private(&path, &STANDARD.encode(key))?;
    tracing::info!(path = %path.display(), "made the key that encrypts the CA's private key");
    Ok(key)
}

fn decode_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = STANDARD.decode(text.trim())?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("not 32 bytes"))
}

/// Creates `path` readable by its owner only, failing if it exists.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

/// `nonce:ciphertext`, both base64.
pub fn seal(key: &[u8; 32], plain: &str) -> String {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
        .expect("AES-GCM encryption does not fail on a short input");
    format!("{}:{}", STANDARD.encode(nonce), STANDARD.encode(sealed))
}

pub fn open(key: &[u8; 32], sealed: &str) -> anyhow::Result<String> {
    let (nonce, body) = sealed.split_once(':').context("not a sealed value")?;
    let nonce = STANDARD.decode(nonce)?;
    let body = STANDARD.decode(body)?;
    anyhow::ensure!(nonce.len() == 12, "not a sealed value");
    let plain = Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(&nonce), body.as_slice())
        .map_err(|_| {
            anyhow::anyhow!(
                "the CA key does not open the stored CA: USHER_CA_KEY or the key file is not the one it was made with"
            )
        })?;
    Ok(String::from_utf8(plain)?)
}

#[derive(Serialize, Deserialize)]
struct Stored {
    cert_pem: String,
    key_sealed: String,
}

async fn stored(db: &impl ConnectionTrait) -> anyhow::Result<Option<Stored>> {
    let row = setting::Entity::find_by_id(KEY.to_string()).one(db).await?;
    Ok(match row {
        Some(row) => Some(serde_json::from_str(&row.value)?),
        None => None,
    })
}

/// The CA certificate (PEM), if the CA exists.
pub async fn certificate(db: &impl ConnectionTrait) -> anyhow::Result<Option<String>> {
    Ok(stored(db).await?.map(|s| s.cert_pem))
}

/// The CA, made now if there is none. Several instances starting at once
/// agree: the first insert wins and the others read it.
pub async fn ensure(
    db: &impl ConnectionTrait,
    key: &[u8; 32],
    organisation: &str,
) -> anyhow::Result<Ca> {
    if stored(db).await?.is_none() {
        let made = pki::new_ca(organisation, time::OffsetDateTime::now_utc())?;
        let value = Stored {
            key_sealed: seal(key, &made.key_pem),
            cert_pem: made.cert_pem,
        };
        let row = setting::ActiveModel {
            key: Set(KEY.into()),
            value: Set(serde_json::to_string(&value)?),
            updated_at: Set(chrono::Utc::now()),
        };
        setting::Entity::insert(row)
            .on_conflict_do_nothing_on([setting::Column::Key])
            .exec(db)
            .await?;
    }
    load(db, key).await
}

/// The stored CA with its private key opened.
pub async fn load(db: &impl ConnectionTrait, key: &[u8; 32]) -> anyhow::Result<Ca> {
    let s = stored(db)
        .await?
        .context("Usher's CA has not been made yet")?;
    Ok(Ca {
        key_pem: open(key, &s.key_sealed)?,
        cert_pem: s.cert_pem,
    })
}

/// What `/settings/certificates` shows of the CA.
pub fn describe(cert_pem: &str) -> anyhow::Result<shared::model::CaView> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes())?;
    let cert = pem.parse_x509()?;
    let fingerprint = Sha256::digest(&pem.contents)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let validity = cert.validity();
    let rfc3339 = |t: &x509_parser::time::ASN1Time| {
        chrono::DateTime::from_timestamp(t.timestamp(), 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
    };
    Ok(shared::model::CaView {
        subject: cert.subject().to_string(),
        fingerprint_sha256: fingerprint,
        not_before: rfc3339(&validity.not_before),
        not_after: rfc3339(&validity.not_after),
        client_validity_days: DEFAULT_CLIENT_DAYS,
        approval_mode: shared::model::ApprovalMode::default(),
        https_url: None,
    })
}

/// The default validity of a user's certificate.
pub const DEFAULT_CLIENT_DAYS: i64 = 365;

/// The CA certificate as DER, for `/pki/ca.der`.
pub fn der(cert_pem: &str) -> anyhow::Result<Vec<u8>> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes())?;
    Ok(pem.contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestDb;

    #[tokio::test]
    async fn the_ca_is_made_once_and_its_key_is_stored_sealed() {
        let t = TestDb::new().await;
        let key = [7u8; 32];
        let first = ensure(&t.db, &key, "Example Ltd").await.unwrap();
        let again = ensure(&t.db, &key, "Example Ltd").await.unwrap();
        assert_eq!(first.cert_pem, again.cert_pem, "made once");
        assert_eq!(first.key_pem, again.key_pem);
        let row = setting::Entity::find_by_id(KEY.to_string())
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        assert!(!row.value.contains("PRIVATE KEY"), "never in clear");
        let wrong = load(&t.db, &[8u8; 32]).await.unwrap_err();
        assert!(wrong.to_string().contains("does not open"), "{wrong}");
        let view = describe(&first.cert_pem).unwrap();
        assert!(view.subject.contains("Usher CA"), "{}", view.subject);
        assert_eq!(view.fingerprint_sha256.len(), 32 * 3 - 1);
        t.close().await;
    }

    #[test]
    fn the_key_file_is_made_private_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("usher-ca-{}", uuid::Uuid::new_v4()));
        let config = crate::testkit::state_config(dir.clone());
        let made = sealing_key(&config).unwrap();
        let mode = std::fs::metadata(dir.join("ca.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(sealing_key(&config).unwrap(), made);
        let from_env = crate::config::Config {
            ca_key: Some("too short".into()),
            ..crate::testkit::state_config(dir)
        };
        assert!(sealing_key(&from_env).is_err());
    }
}
