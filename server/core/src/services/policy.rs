//! The rules for usernames and passwords that admins set on `/settings`:
//! an optional username pattern (a regular expression, on top of the built-in
//! rules), the minimum password length and the common-password check. Stored
//! in the settings table, so every instance applies the same.
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use shared::error::FieldError;
use shared::validation::{Policy, PASSWORD_MAX, PASSWORD_MIN_LOWEST};
use shared::AppError;

use super::actor::Actor;
use super::settings::{get, set_json};
use super::{audit, db_error};

pub const USERNAME_PATTERN: &str = "directory.username_pattern";
pub const USERNAME_HINT: &str = "directory.username_hint";
pub const PASSWORD_MIN: &str = "passwords.min_length";
pub const REJECT_COMMON: &str = "passwords.reject_common";
pub const REGISTRATION_OPEN: &str = "registration.open";

pub async fn load(db: &impl ConnectionTrait) -> Result<Policy, DbErr> {
    let default = Policy::default();
    Ok(Policy {
        username_pattern: get(db, USERNAME_PATTERN, default.username_pattern).await?,
        username_hint: get(db, USERNAME_HINT, default.username_hint).await?,
        password_min: get(db, PASSWORD_MIN, default.password_min).await?,
        reject_common: get(db, REJECT_COMMON, default.reject_common).await?,
        registration_open: get(db, REGISTRATION_OPEN, default.registration_open).await?,
    })
}

/// The pattern as the server runs it: matched against the whole username.
fn compiled(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&format!("^(?:{pattern})$"))
}

/// Whether `username` follows the installation's pattern (if it has one).
pub fn check_username(policy: &Policy, username: &str) -> Result<(), String> {
    if policy.username_pattern.is_empty() {
        return Ok(());
    }
    match compiled(&policy.username_pattern) {
        Ok(re) if re.is_match(username) => Ok(()),
        Ok(_) => Err(policy.username_message()),
        // A pattern that no longer compiles refuses nothing rather than everything.
        Err(_) => Ok(()),
    }
}

/// The regex library's error as one sentence: its last line names the
/// problem ("error: unclosed group"); the lines above draw the pattern.
fn regex_problem(error: &str) -> String {
    let last = error.lines().last().unwrap_or("").trim();
    let what = last.strip_prefix("error:").unwrap_or(last).trim();
    if what.is_empty() {
        "Not a valid regular expression.".into()
    } else {
        format!("Not a valid regular expression ({what}).")
    }
}

/// What is wrong with a policy an admin entered, per field.
pub fn problems(policy: &Policy) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut push = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        })
    };
    if !policy.username_pattern.is_empty() {
        if policy.username_pattern.len() > 200 {
            push("username_pattern", "At most 200 characters.".into());
        } else if let Err(error) = compiled(&policy.username_pattern) {
            push("username_pattern", regex_problem(&error.to_string()));
        }
        if policy.username_hint.trim().is_empty() {
            push(
                "username_hint",
                "Say in words what the pattern asks for; people see it when a username does not fit."
                    .into(),
            );
        }
    }
    if !(PASSWORD_MIN_LOWEST..=PASSWORD_MAX).contains(&policy.password_min) {
        push(
            "password_min",
            format!("Choose between {PASSWORD_MIN_LOWEST} and {PASSWORD_MAX}."),
        );
    }
    errors
}

pub async fn save(db: &DatabaseConnection, actor: &Actor, policy: Policy) -> Result<(), AppError> {
    let policy = Policy {
        username_pattern: policy.username_pattern.trim().to_string(),
        username_hint: policy.username_hint.trim().to_string(),
        ..policy
    };
    let errors = problems(&policy);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let txn = db.begin().await.map_err(db_error)?;
    let before = load(&txn).await.map_err(db_error)?;
    set_json(
        &txn,
        USERNAME_PATTERN,
        policy.username_pattern.clone().into(),
    )
    .await
    .map_err(db_error)?;
    set_json(&txn, USERNAME_HINT, policy.username_hint.clone().into())
        .await
        .map_err(db_error)?;
    set_json(&txn, PASSWORD_MIN, policy.password_min.into())
        .await
        .map_err(db_error)?;
    set_json(&txn, REJECT_COMMON, policy.reject_common.into())
        .await
        .map_err(db_error)?;
    set_json(&txn, REGISTRATION_OPEN, policy.registration_open.into())
        .await
        .map_err(db_error)?;
    let details = serde_json::json!({ "before": before, "after": policy });
    audit::record_change(
        &txn,
        actor,
        "settings.update",
        ("settings", "policy".into(), "Usernames and passwords"),
        Some(details),
    )
    .await?;
    txn.commit().await.map_err(db_error)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_broken_pattern_is_named_in_one_sentence() {
        let error = super::compiled("([a-z").unwrap_err().to_string();
        let message = super::regex_problem(&error);
        assert_eq!(
            message,
            "Not a valid regular expression (unclosed character class)."
        );
    }

    use super::*;
    use crate::testkit::TestDb;

    #[test]
    fn patterns_match_whole_usernames() {
        let policy = Policy {
            username_pattern: "[a-z]+\\.[a-z]+".into(),
            username_hint: "first.last".into(),
            ..Policy::default()
        };
        assert!(check_username(&policy, "jane.doe").is_ok());
        assert_eq!(
            check_username(&policy, "jane.doe2").unwrap_err(),
            "Username must look like this: first.last."
        );
        assert!(check_username(&Policy::default(), "anything").is_ok());
    }

    #[test]
    fn bad_policies_name_their_fields() {
        let bad = Policy {
            username_pattern: "([a-z".into(),
            username_hint: String::new(),
            password_min: 4,
            reject_common: true,
            registration_open: false,
        };
        let fields: Vec<String> = problems(&bad).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["username_pattern", "username_hint", "password_min"]
        );
    }

    #[tokio::test]
    async fn saved_policy_is_what_every_check_reads() {
        let t = TestDb::new().await;
        let actor = Actor {
            id: uuid::Uuid::new_v4(),
            username: "root".into(),
            ip: None,
        };
        assert_eq!(load(&t.db).await.unwrap(), Policy::default());
        let strict = Policy {
            username_pattern: "[a-z]+\\.[a-z]+".into(),
            username_hint: "first.last".into(),
            password_min: 16,
            reject_common: false,
            registration_open: true,
        };
        save(&t.db, &actor, strict.clone()).await.unwrap();
        assert_eq!(load(&t.db).await.unwrap(), strict);
        let refused = save(
            &t.db,
            &actor,
            Policy {
                password_min: 500,
                ..strict.clone()
            },
        )
        .await;
        assert!(refused.unwrap_err().field_message("password_min").is_some());
        assert_eq!(load(&t.db).await.unwrap(), strict, "nothing half-saved");
        t.close().await;
    }
}
