//! How Usher sends mail: SMTP server, sender and the public base URL of
//! links. Saved on `/settings/mail` into the settings table (so every
//! instance uses the same); until then, the environment's `USHER_SMTP_*`,
//! `USHER_MAIL_FROM` and `USHER_PUBLIC_URL` apply. The SMTP password is
//! write-only: it is never sent back to a browser.
use lettre::message::Mailbox;
use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};
use shared::error::FieldError;
use shared::model::MailSettings;
use shared::{validation, AppError};

use super::actor::Actor;
use super::{audit, db_error, settings};
use crate::config::{Config, SmtpConfig, SmtpSecurity};
use crate::mail::{templates, Mail, Mailer};

pub const KEY: &str = "mail.settings";

/// The saved settings, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub host: String,
    pub port: u16,
    pub security: String,
    pub username: String,
    pub password: String,
    pub from_name: String,
    pub from_address: String,
    pub public_url: String,
}

/// What sending uses right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    pub smtp: Option<SmtpConfig>,
    /// `Name <address>`.
    pub from: String,
    pub public_url: String,
    pub saved: Option<Stored>,
}

fn security_name(s: &SmtpSecurity) -> &'static str {
    match s {
        SmtpSecurity::None => "none",
        SmtpSecurity::StartTls => "starttls",
        SmtpSecurity::Tls => "tls",
    }
}

fn parse_security(name: &str) -> Option<SmtpSecurity> {
    match name {
        "none" => Some(SmtpSecurity::None),
        "starttls" => Some(SmtpSecurity::StartTls),
        "tls" => Some(SmtpSecurity::Tls),
        _ => None,
    }
}

/// The saved settings if any, else the environment's.
pub async fn effective(
    db: &impl ConnectionTrait,
    config: &Config,
    env_public_url: &str,
) -> Result<Effective, DbErr> {
    let saved: Option<Stored> = settings::get(db, KEY, None).await?;
    Ok(match saved {
        None => Effective {
            smtp: config.smtp.clone(),
            from: config.mail_from.clone(),
            public_url: env_public_url.to_string(),
            saved: None,
        },
        Some(s) => Effective {
            smtp: (!s.host.is_empty()).then(|| SmtpConfig {
                host: s.host.clone(),
                port: s.port,
                security: parse_security(&s.security).unwrap_or(SmtpSecurity::StartTls),
                username: (!s.username.is_empty()).then(|| s.username.clone()),
                password: (!s.password.is_empty()).then(|| s.password.clone()),
            }),
            from: sender(&s.from_name, &s.from_address),
            public_url: s.public_url.clone(),
            saved: Some(s),
        },
    })
}

/// The settings in use, in stored form: the saved ones, or the
/// environment's (so a first save keeps the environment's password).
pub fn in_use(effective: &Effective) -> Stored {
    if let Some(saved) = &effective.saved {
        return saved.clone();
    }
    let smtp = effective.smtp.as_ref();
    let (from_name, from_address) = match effective.from.parse::<Mailbox>() {
        Ok(m) => (m.name.unwrap_or_default(), m.email.to_string()),
        Err(_) => (String::new(), effective.from.clone()),
    };
    Stored {
        host: smtp.map(|s| s.host.clone()).unwrap_or_default(),
        port: smtp.map(|s| s.port).unwrap_or(0),
        security: smtp
            .map(|s| security_name(&s.security))
            .unwrap_or("starttls")
            .into(),
        username: smtp.and_then(|s| s.username.clone()).unwrap_or_default(),
        password: smtp.and_then(|s| s.password.clone()).unwrap_or_default(),
        from_name,
        from_address,
        public_url: effective.public_url.clone(),
    }
}

/// `Name <address>`, quoted as mail needs it.
fn sender(name: &str, address: &str) -> String {
    match address.parse() {
        Ok(address) => {
            let name = (!name.trim().is_empty()).then(|| name.trim().to_string());
            Mailbox::new(name, address).to_string()
        }
        Err(_) => address.to_string(),
    }
}

/// The page's view: no password, only whether one is set.
pub fn view(effective: &Effective, data_dir: &std::path::Path) -> MailSettings {
    let transport = match &effective.smtp {
        Some(s) => format!(
            "SMTP {}:{} ({})",
            s.host,
            s.port,
            security_name(&s.security).to_uppercase()
        ),
        None => format!("the file outbox ({})", data_dir.join("outbox").display()),
    };
    let s = in_use(effective);
    MailSettings {
        host: s.host,
        // The usual submission port as the form's suggestion.
        port: if s.port == 0 { 587 } else { s.port },
        security: s.security,
        username: s.username,
        password_set: !s.password.is_empty(),
        from_name: s.from_name,
        from_address: s.from_address,
        public_url: s.public_url,
        saved: effective.saved.is_some(),
        transport,
    }
}

/// What the settings form sends (an empty password keeps the saved one).
pub use shared::model::MailSettingsInput as Input;

/// The public base URL: http(s), a host, no query, no trailing slash.
pub fn check_public_url(value: &str) -> Result<String, String> {
    let value = value.trim().trim_end_matches('/');
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        !r.is_empty() && !r.starts_with('/') && !r.contains(['?', '#', ' ', '\\', '@'])
    });
    if ok {
        Ok(value.to_string())
    } else {
        Err("Enter the address people open Usher at, like https://usher.example.com.".into())
    }
}

/// Checks every field; the stored form on success.
pub fn validate(input: &Input, before: Option<&Stored>) -> Result<Stored, AppError> {
    let mut errors = Vec::new();
    let mut push = |field: &str, message: &str| {
        errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        })
    };
    let host = input.host.trim().to_string();
    let port: u16 = if host.is_empty() {
        0
    } else {
        match input.port.trim().parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => {
                push("port", "Enter a port number from 1 to 65535.");
                0
            }
        }
    };
    if host.contains(char::is_whitespace) || host.contains('/') {
        push(
            "host",
            "Enter a host name or address, like smtp.example.com.",
        );
    }
    if parse_security(&input.security).is_none() {
        push("security", "Choose None, STARTTLS or TLS.");
    }
    // Any address mail accepts, `usher@localhost` included.
    if input
        .from_address
        .trim()
        .parse::<lettre::Address>()
        .is_err()
    {
        push(
            "from_address",
            "Enter the address mail comes from, like usher@example.com.",
        );
    }
    if input.from_name.contains(['\r', '\n']) || input.from_name.chars().count() > 100 {
        push("from_name", "Use one line of at most 100 characters.");
    }
    let public_url = match check_public_url(&input.public_url) {
        Ok(url) => url,
        Err(message) => {
            push("public_url", &message);
            String::new()
        }
    };
    let username = input.username.trim().to_string();
    // An empty field keeps the password only for the same server and
    // account: it is never handed to a server the admin just typed in.
    let same_server =
        before.is_some_and(|b| b.host == host && b.port == port && b.username == username);
    let kept = before.map(|b| b.password.clone()).unwrap_or_default();
    let password = if input.clear_password || host.is_empty() {
        String::new()
    } else if !input.password.is_empty() {
        input.password.clone()
    } else if same_server || kept.is_empty() {
        kept
    } else {
        push(
            "password",
            "Enter the password again: the server or username changed.",
        );
        String::new()
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(Stored {
        host,
        port,
        security: input.security.clone(),
        username,
        password,
        from_name: input.from_name.trim().to_string(),
        from_address: input.from_address.trim().to_string(),
        public_url,
    })
}

/// Saves the settings (the outbox worker picks them up on its next pass).
pub async fn save(
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: &Input,
    before: Option<&Stored>,
) -> Result<(), AppError> {
    let stored = validate(input, before)?;
    if let Some(before) = before {
        if stored.host != before.host || stored.public_url != before.public_url {
            confirm_password(db, actor, &input.current_password).await?;
        }
    }
    let value = serde_json::to_value(&stored).map_err(|e| AppError::Internal(e.to_string()))?;
    settings::set_json(db, KEY, value).await.map_err(db_error)?;
    // The audit event names what changed, never the password itself.
    let details = serde_json::json!({
        "host": stored.host, "port": stored.port, "security": stored.security,
        "from": sender(&stored.from_name, &stored.from_address),
        "public_url": stored.public_url,
        "password_changed": before.map(|b| b.password != stored.password).unwrap_or(true),
    });
    audit::record_change(
        db,
        actor,
        "settings.mail",
        ("settings", KEY.into(), "Mail"),
        Some(details),
    )
    .await
}

/// The actor's own password, checked: where mail goes and where its links
/// point can hand recovery mail to someone else.
async fn confirm_password(
    db: &impl ConnectionTrait,
    actor: &Actor,
    password: &str,
) -> Result<(), AppError> {
    use crate::db::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    if password.is_empty() {
        return Err(AppError::field(
            "current_password",
            "Changing the SMTP host or the public address needs your current password.",
        ));
    }
    let stored = user::Entity::find()
        .filter(user::Column::Id.eq(actor.id))
        .one(db)
        .await
        .map_err(db_error)?
        .and_then(|u| u.password_hash);
    if stored.is_none() || !super::passwords::verify(password.to_string(), stored).await {
        return Err(AppError::field(
            "current_password",
            "That is not your current password.",
        ));
    }
    Ok(())
}

/// "Send test email": sends at once (not through the outbox) and returns
/// the server's answer, or its error as a message.
pub async fn send_test(
    effective: &Effective,
    data_dir: &std::path::Path,
    to: &str,
) -> Result<String, AppError> {
    validation::email(to.trim()).map_err(|m| AppError::field("to", m))?;
    let mailer = Mailer::new(effective.smtp.as_ref(), data_dir)
        .map_err(|e| AppError::BadRequest(format!("These settings cannot be used: {e}")))?;
    let mail = templates::test_mail(&effective.public_url);
    let sent = mailer
        .send(
            &effective.from,
            Mail {
                to: to.trim(),
                subject: &mail.subject,
                text: mail.text,
                html: mail.html,
                attachments: Vec::new(),
            },
        )
        .await;
    match sent {
        Ok(answer) => Ok(format!("Sent through {}: {answer}", describe(effective))),
        Err(error) => Err(AppError::BadRequest(format!(
            "Not sent through {}: {error}",
            describe(effective)
        ))),
    }
}

fn describe(effective: &Effective) -> String {
    match &effective.smtp {
        Some(s) => format!("{}:{}", s.host, s.port),
        None => "the file outbox".into(),
    }
}

#[cfg(test)]
mod tests;
