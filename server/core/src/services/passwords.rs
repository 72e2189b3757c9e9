//! argon2id hashing (m=19456 KiB, t=2, p=1, OWASP's minimum), always on the
//! blocking pool so the async threads keep serving. At most one hash per
//! core runs at a time, each in a memory block reused from hash to hash: a
//! flood of sign-ins waits its turn instead of allocating 19 MiB per
//! request (which glibc then keeps), and the rate stays argon2's capacity.
use std::sync::{Mutex, OnceLock};

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand_core::OsRng;
use tokio::sync::Semaphore;

use shared::AppError;

const M_COST: u32 = 19_456;

fn params() -> Params {
    Params::new(M_COST, 2, 1, None).expect("valid argon2 parameters")
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// One slot per core: a permit and a reusable memory block.
struct Slots {
    permits: Semaphore,
    memory: Mutex<Vec<Vec<Block>>>,
}

fn slots() -> &'static Slots {
    static SLOTS: OnceLock<Slots> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        Slots {
            permits: Semaphore::new(n),
            memory: Mutex::new(Vec::with_capacity(n)),
        }
    })
}

/// Runs `work` on the blocking pool in a free slot's memory.
async fn in_slot<R: Send + 'static>(
    work: impl FnOnce(&mut [Block]) -> R + Send + 'static,
) -> Result<R, AppError> {
    let slots = slots();
    let _permit = slots
        .permits
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("hashing slots: {e}")))?;
    let memory = slots.memory.lock().map(|mut m| m.pop()).unwrap_or(None);
    let mut memory = memory.unwrap_or_else(|| vec![Block::default(); M_COST as usize]);
    let (result, memory) = tokio::task::spawn_blocking(move || {
        let result = work(&mut memory);
        (result, memory)
    })
    .await
    .map_err(|e| AppError::Internal(format!("hashing task: {e}")))?;
    if let Ok(mut pool) = slots.memory.lock() {
        pool.push(memory);
    }
    Ok(result)
}

/// The PHC string of `password` with a new salt, computed in `memory`.
fn hash_in(password: &str, memory: &mut [Block]) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .expect("a generated salt decodes");
    let mut out = [0u8; 32];
    hasher()
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        .expect("argon2 hashing cannot fail with valid parameters");
    PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: (&params()).try_into().expect("argon2 parameters as PHC"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("a 32-byte output")),
    }
    .to_string()
}

/// Whether `password` matches the PHC string `stored`.
fn verify_in(password: &str, stored: &str, memory: &mut [Block]) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let computed = if params.block_count() == memory.len() {
        argon.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
    } else {
        // A hash made with other costs: its own memory, once.
        argon.hash_password_into(password.as_bytes(), salt_bytes, &mut out)
    };
    // `Output` compares in constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

pub fn hash_blocking(password: &str) -> String {
    hash_in(password, &mut vec![Block::default(); M_COST as usize])
}

pub async fn hash(password: String) -> Result<String, AppError> {
    in_slot(move |memory| hash_in(&password, memory)).await
}

/// Verifies against `stored`, or against a dummy hash when there is none, so
/// an unknown user costs the same time as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    in_slot(move |memory| {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_string());
        verify_in(&password, &phc, memory) && known
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
    policy: &shared::validation::Policy,
) -> Result<(), String> {
    shared::validation::password_length_at_least(password, policy.password_min)?;
    let lower = password.to_lowercase();
    if policy.reject_common && common_passwords().contains(lower.as_str()) {
        return Err("This password is one of the most common ones; choose another.".into());
    }
    if lower == username.to_lowercase() || lower == email.to_lowercase() {
        return Err("Password must not be the same as the username or email.".into());
    }
    Ok(())
}

/// The strength meter's reading of `password` for this person: the
/// policy's verdict (one rule, `check_policy`) and zxcvbn's score, which
/// knows the person's own names as easy guesses.
pub fn strength(
    password: &str,
    username: &str,
    email: &str,
    policy: &shared::validation::Policy,
) -> shared::validation::PasswordStrength {
    let password: String = password
        .chars()
        .take(shared::validation::STRENGTH_MAX_CHARS)
        .collect();
    let problem = check_policy(&password, username, email, policy).err();
    let own: Vec<&str> = [username, email, email.split('@').next().unwrap_or("")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let entropy = zxcvbn::zxcvbn(&password, &own);
    let advice = entropy.feedback().and_then(|f| {
        f.warning()
            .map(|w| w.to_string())
            .or_else(|| f.suggestions().first().map(|s| s.to_string()))
    });
    shared::validation::PasswordStrength {
        // A refused password never reads as strong.
        score: if problem.is_some() {
            0
        } else {
            u8::from(entropy.score())
        },
        problem,
        advice,
    }
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
        let custom = shared::validation::Policy {
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

    #[test]
    fn the_meter_reads_the_policy_and_zxcvbn() {
        let policy = Default::default();
        let common = common_passwords().iter().find(|p| p.len() >= 12).unwrap();
        let weak = strength(common, "jane", "jane@example.com", &policy);
        assert_eq!(weak.score, 0);
        assert!(weak.problem.unwrap().contains("common"));
        let own = strength("jane.doe.1234", "jane.doe.1234", "j@x.io", &policy);
        assert!(own.problem.is_some());
        let strong = strength(
            "correct horse battery staple violin",
            "jane",
            "j@x.io",
            &policy,
        );
        assert_eq!((strong.score, strong.problem), (4, None));
        let fair = strength("aaaaaaaaaaaaaaaa", "jane", "j@x.io", &policy);
        assert!(fair.score < 2 && fair.advice.is_some(), "{fair:?}");
    }
}
