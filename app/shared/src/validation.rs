//! Pure input rules, used by the forms as you type and again by the server.
use crate::error::FieldError;

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;
/// The lowest minimum length an admin may set.
pub const PASSWORD_MIN_LOWEST: usize = 8;

/// The installation's rules for usernames and passwords (`/settings`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    /// A regular expression the whole username must match, on top of the
    /// built-in rules; empty for none. Checked by the browser's and the
    /// server's regular-expression engines (not in this module).
    pub username_pattern: String,
    /// What the pattern asks for, in words.
    pub username_hint: String,
    pub password_min: usize,
    /// Refuse the 10,000 most common passwords (checked on the server).
    pub reject_common: bool,
    /// Anyone may ask for an account on `/register`.
    #[serde(default)]
    pub registration_open: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            username_pattern: String::new(),
            username_hint: String::new(),
            password_min: PASSWORD_MIN,
            reject_common: true,
            registration_open: false,
        }
    }
}

impl Policy {
    /// The message for a username that does not fit the pattern.
    pub fn username_message(&self) -> String {
        format!(
            "Username must look like this: {}.",
            self.username_hint.trim_end_matches('.')
        )
    }

    /// The password field's hint.
    pub fn password_hint(&self) -> String {
        let common = if self.reject_common {
            "; not a common password"
        } else {
            ""
        };
        format!("At least {} characters{common}.", self.password_min)
    }
}

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
    password_length_at_least(value, PASSWORD_MIN)
}

/// The length rules with the installation's minimum.
pub fn password_length_at_least(value: &str, min: usize) -> Result<(), String> {
    let len = value.chars().count();
    if len < min {
        return Err(format!("Password must be at least {min} characters."));
    }
    if len > PASSWORD_MAX {
        return Err(format!(
            "Password must be at most {PASSWORD_MAX} characters."
        ));
    }
    Ok(())
}

/// The installation's username pattern, checked in the browser with
/// JavaScript's own regular expressions (the server checks it with Rust's).
#[cfg(feature = "hydrate")]
pub fn username_pattern(policy: &Policy, value: &str) -> Result<(), String> {
    if policy.username_pattern.is_empty() {
        return Ok(());
    }
    let re = js_sys::RegExp::new(&format!("^(?:{})$", policy.username_pattern), "");
    if re.test(value) {
        Ok(())
    } else {
        Err(policy.username_message())
    }
}

#[cfg(not(feature = "hydrate"))]
pub fn username_pattern(_policy: &Policy, _value: &str) -> Result<(), String> {
    Ok(())
}

/// First and last names: at least 2 characters, no digits.
pub fn person_name(value: &str) -> Result<(), String> {
    let value = value.trim();
    if value.chars().count() < 2 {
        return Err("Must be at least 2 characters.".into());
    }
    if value.chars().count() > 100 {
        return Err("Must be at most 100 characters.".into());
    }
    if value.chars().any(|c| c.is_ascii_digit()) {
        return Err("Must not contain digits.".into());
    }
    Ok(())
}

/// Optional phone number, E.164-like: an optional `+`, then 7 to 15 digits;
/// spaces, dashes, dots and brackets are allowed between them.
pub fn phone(value: &str) -> Result<(), String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    let rest = value.strip_prefix('+').unwrap_or(value);
    let digits = rest.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'));
    if !allowed || !(7..=15).contains(&digits) {
        return Err("Enter a phone number like +49 151 2345678 (7 to 15 digits).".into());
    }
    Ok(())
}

/// A phone number as stored: `+` and digits only.
pub fn normalize_phone(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let plus = if value.starts_with('+') { "+" } else { "" };
    Some(format!(
        "{plus}{}",
        value
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect::<String>()
    ))
}

/// The create-user form's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NewUserInput {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub password: String,
    /// Send an invitation instead of setting a password.
    pub invite: bool,
}

/// Every field rule of the create-user form (uniqueness and the common-password
/// list are checked by the server on top).
pub fn new_user(input: &NewUserInput, policy: &Policy) -> Vec<FieldError> {
    let mut checks = vec![
        ("username", username(input.username.trim())),
        ("first_name", person_name(&input.first_name)),
        ("last_name", person_name(&input.last_name)),
        ("email", email(input.email.trim())),
        ("phone", phone(&input.phone)),
    ];
    if !input.invite {
        checks.push((
            "password",
            password_length_at_least(&input.password, policy.password_min),
        ));
    }
    field_errors(checks)
}

/// The invitation page's fields: the invited person confirms their names and
/// chooses a password (the server adds the common-password check).
pub fn join(first: &str, last: &str, password: &str, policy: &Policy) -> Vec<FieldError> {
    field_errors(vec![
        ("first_name", person_name(first)),
        ("last_name", person_name(last)),
        (
            "password",
            password_length_at_least(password, policy.password_min),
        ),
    ])
}

/// Longest "message to the administrators" and rejection reason.
pub const MESSAGE_MAX: usize = 1000;

/// An optional free text of at most `MESSAGE_MAX` characters.
pub fn message(value: &str) -> Result<(), String> {
    let max = MESSAGE_MAX;
    if value.trim().chars().count() > max {
        return Err(format!("At most {max} characters."));
    }
    Ok(())
}

/// A rejection must say why: the person receives it.
pub fn reason(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("Give a reason; it is mailed to the person.".into());
    }
    message(value)
}

/// The fields of the first-admin form, checked together.
pub fn admin_account(username_value: &str, email_value: &str, password: &str) -> Vec<FieldError> {
    field_errors(vec![
        ("username", username(username_value)),
        ("email", email(email_value)),
        ("password", password_length(password)),
    ])
}

/// The failed checks, in order, as errors naming their fields.
pub fn field_errors(checks: Vec<(&str, Result<(), String>)>) -> Vec<FieldError> {
    checks
        .into_iter()
        .filter_map(|(field, result)| {
            result.err().map(|message| FieldError {
                field: field.into(),
                message,
            })
        })
        .collect()
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
    fn names_and_phones() {
        assert!(person_name("Jo").is_ok());
        assert!(person_name("J").is_err());
        assert!(person_name("R2D2").is_err());
        assert!(person_name("Zoë").is_ok());
        assert!(phone("").is_ok());
        assert!(phone("+49 151 2345678").is_ok());
        assert!(phone("(030) 123-4567").is_ok());
        assert!(phone("12345").is_err());
        assert!(phone("+49 abc 123456").is_err());
        assert_eq!(
            normalize_phone("+49 (151) 234-5678").as_deref(),
            Some("+491512345678")
        );
        assert_eq!(normalize_phone("  "), None);
    }

    #[test]
    fn new_user_names_each_field() {
        let input = NewUserInput {
            username: "X".into(),
            first_name: "J".into(),
            last_name: "D0e".into(),
            email: "x".into(),
            phone: "1".into(),
            password: "short".into(),
            invite: false,
        };
        let fields: Vec<_> = new_user(&input, &Policy::default())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "username",
                "first_name",
                "last_name",
                "email",
                "phone",
                "password"
            ]
        );
        let invite = NewUserInput {
            password: String::new(),
            invite: true,
            ..input
        };
        assert!(!new_user(&invite, &Policy::default())
            .iter()
            .any(|e| e.field == "password"));
    }

    #[test]
    fn admin_account_names_each_field() {
        let errors = admin_account("A", "nope", "x");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["username", "email", "password"]);
    }
}

/// How a password being typed measures up: zxcvbn's score (0 = guessed at
/// once … 4 = very hard to guess), the policy's refusal if any, and advice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasswordStrength {
    pub score: u8,
    /// Why the server would refuse it (too short, a common password, the
    /// username): the same rule the save applies.
    pub problem: Option<String>,
    /// zxcvbn's hint ("Add another word or two."), for weak ones.
    pub advice: Option<String>,
}

impl PasswordStrength {
    pub fn label(&self) -> &'static str {
        match self.score {
            0 => "Very weak",
            1 => "Weak",
            2 => "Fair",
            3 => "Strong",
            _ => "Very strong",
        }
    }
}

/// The longest password the strength check looks at (zxcvbn's work grows
/// with length; nobody types more).
pub const STRENGTH_MAX_CHARS: usize = 128;
