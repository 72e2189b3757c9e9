//! argon2id hashing (m=19456 KiB, t=2, p=1, OWASP's minimum), always on the
//! blocking pool so the async threads keep serving.
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::OsRng;

use app::AppError;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AppError::Internal(format!("hashing task: {e}")))
}

/// Verifies against `stored`, or against a dummy hash when there is none, so
/// an unknown user costs the same time as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_string());
        let ok = PasswordHash::new(&phc)
            .map(|parsed| {
                hasher()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("usher-dummy-password-for-timing"))
}

/// The 10,000 most common passwords (see the data file's header).
fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static LIST: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../data/common-passwords.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// The server's password policy: the shared length rules, not one of the
/// most common passwords, and not the same as the username or email.
pub fn check_policy(
    password: &str,
    username: &str,
    email: &str,
    policy: &app::validation::Policy,
) -> Result<(), String> {
    app::validation::password_length_at_least(password, policy.password_min)?;
    let lower = password.to_lowercase();
    if policy.reject_common && common_passwords().contains(lower.as_str()) {
        return Err("This password is one of the most common ones; choose another.".into());
    }
    if lower == username.to_lowercase() || lower == email.to_lowercase() {
        return Err("Password must not be the same as the username or email.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let phc = hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery".into(), Some(phc.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(phc)).await);
        assert!(!verify("usher-dummy-password-for-timing".into(), None).await);
    }

    #[test]
    fn policy() {
        let check = |p: &str, u: &str| check_policy(p, u, "j@x.io", &Default::default());
        assert!(check("short", "jane").is_err());
        assert!(check("jane.doe.1234", "jane.doe.1234").is_err());
        assert!(check("a long passphrase", "jane").is_ok());
        // On the common list (and long enough to pass the length rule).
        let long_common = common_passwords().iter().find(|p| p.len() >= 12).unwrap();
        assert!(check(&long_common.to_uppercase(), "jane")
            .unwrap_err()
            .contains("common"));
        // The settings: a longer minimum; the list can be switched off.
        let custom = app::validation::Policy {
            password_min: 20,
            reject_common: false,
            ..Default::default()
        };
        assert!(check_policy("a long passphrase", "jane", "j@x.io", &custom)
            .unwrap_err()
            .contains("at least 20"));
        assert!(check_policy(&long_common.repeat(2), "jane", "j@x.io", &custom).is_ok());
        assert_eq!(common_passwords().len(), 10_000);
    }
}
