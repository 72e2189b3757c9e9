//! Pure input rules, used by the forms as you type and again by the server.
use crate::error::FieldError;

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

/// Username: 3–64 of ASCII lowercase letters, digits, `.`, `-`, `_`,
/// starting with a letter or digit.
pub fn username(value: &str) -> Result<(), String> {
    let len = value.chars().count();
    if !(3..=64).contains(&len) {
        return Err("Username must be 3 to 64 characters long.".into());
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
    {
        return Err(
            "Username may contain only lowercase letters, digits, '.', '-' and '_'.".into(),
        );
    }
    if !value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return Err("Username must start with a letter or a digit.".into());
    }
    Ok(())
}

/// A pragmatic email check: one `@`, a non-empty local part, a dotted domain.
pub fn email(value: &str) -> Result<(), String> {
    let invalid = || Err("Enter a valid email address, like name@example.com.".to_string());
    if value.len() > 254 || value.chars().any(|c| c.is_whitespace()) {
        return invalid();
    }
    let Some((local, domain)) = value.split_once('@') else {
        return invalid();
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return invalid();
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|l| {
            l.is_empty()
                || l.starts_with('-')
                || l.ends_with('-')
                || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
    {
        return invalid();
    }
    Ok(())
}

/// Length rules of the password policy; the common-password and
/// same-as-username checks run on the server only.
pub fn password_length(value: &str) -> Result<(), String> {
    let len = value.chars().count();
    if len < PASSWORD_MIN {
        return Err(format!(
            "Password must be at least {PASSWORD_MIN} characters."
        ));
    }
    if len > PASSWORD_MAX {
        return Err(format!(
            "Password must be at most {PASSWORD_MAX} characters."
        ));
    }
    Ok(())
}

/// The fields of the first-admin form, checked together.
pub fn admin_account(username_value: &str, email_value: &str, password: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut check = |field: &str, result: Result<(), String>| {
        if let Err(message) = result {
            errors.push(FieldError {
                field: field.into(),
                message,
            });
        }
    };
    check("username", username(username_value));
    check("email", email(email_value));
    check("password", password_length(password));
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(username("jane.doe").is_ok());
        assert!(username("j_d-2").is_ok());
        assert!(username("ab").is_err());
        assert!(username("Jane").is_err());
        assert!(username(".jane").is_err());
        assert!(username("jane doe").is_err());
        assert!(username(&"a".repeat(65)).is_err());
    }

    #[test]
    fn emails() {
        assert!(email("jane@example.com").is_ok());
        assert!(email("jane.doe+x@sub.example.org").is_ok());
        assert!(email("jane@localhost").is_err());
        assert!(email("jane@@example.com").is_err());
        assert!(email("@example.com").is_err());
        assert!(email("jane @example.com").is_err());
        assert!(email("jane@-example.com").is_err());
    }

    #[test]
    fn passwords() {
        assert!(password_length("short").is_err());
        assert!(password_length("twelve chars").is_ok());
        assert!(password_length(&"x".repeat(129)).is_err());
    }

    #[test]
    fn admin_account_names_each_field() {
        let errors = admin_account("A", "nope", "x");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["username", "email", "password"]);
    }
}
