//! Sending mail: SMTP when configured, otherwise `.eml` files in
//! `<data_dir>/outbox` (lettre's file transport). Every mail goes through
//! the durable outbox (`services::outbox`) first.
pub mod certificate_templates;
pub mod registration_templates;
pub mod templates;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{Config, SmtpConfig, SmtpSecurity};

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
}

/// A file sent with a mail; kept in the outbox as JSON until it is sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        Self::new(config.smtp.as_ref(), &config.data_dir)
    }

    /// SMTP when given, else `.eml` files in `<data_dir>/outbox`.
    pub fn new(smtp: Option<&SmtpConfig>, data_dir: &std::path::Path) -> anyhow::Result<Self> {
        match smtp {
            Some(smtp) => Ok(Mailer::Smtp(smtp_transport(smtp)?)),
            None => {
                let dir = data_dir.join("outbox");
                std::fs::create_dir_all(&dir)?;
                Ok(Mailer::File(AsyncFileTransport::new(dir)))
            }
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Mailer::Smtp(_) => "SMTP",
            Mailer::File(_) => "file outbox",
        }
    }

    /// Sends one mail; returns the server's answer ("250 …") or where the
    /// file went.
    pub async fn send(&self, from: &str, mail: Mail<'_>) -> anyhow::Result<String> {
        let body = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.text),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(mail.html),
            );
        let body = if mail.attachments.is_empty() {
            body
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for file in mail.attachments {
                let content_type = ContentType::parse(&file.content_type)?;
                mixed = mixed.singlepart(
                    lettre::message::Attachment::new(file.filename).body(file.bytes, content_type),
                );
            }
            mixed
        };
        let message = Message::builder()
            .from(from.parse::<Mailbox>()?)
            .to(mail.to.parse::<Mailbox>()?)
            .subject(mail.subject)
            .multipart(body)?;
        match self {
            Mailer::Smtp(t) => {
                let response = t.send(message).await?;
                let text: Vec<&str> = response.message().collect();
                Ok(format!("{} {}", response.code(), text.join(" ")))
            }
            Mailer::File(t) => {
                let id = t.send(message).await?;
                Ok(format!("written to the file outbox as {id}.eml"))
            }
        }
    }
}

fn smtp_transport(smtp: &SmtpConfig) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let mut builder = match smtp.security {
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?,
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
    }
    .port(smtp.port);
    if let (Some(user), Some(pass)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
    }
    Ok(builder.build())
}
