//! Mail texts: a subject, a plain-text body and an HTML body per message,
//! with absolute links from the public base URL.
pub struct Rendered {
    pub template: &'static str,
    /// Files that travel with the mail (a certificate, say).
    pub attachments: Vec<super::Attachment>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_page(title: &str, paragraphs: &[String], link: Option<(&str, &str)>) -> String {
    let mut body = String::new();
    for p in paragraphs {
        body.push_str(&format!("<p style=\"margin:0 0 16px\">{}</p>", escape(p)));
    }
    if let Some((label, href)) = link {
        body.push_str(&format!(
            "<p style=\"margin:24px 0\"><a href=\"{href}\" style=\"background:#4f46e5;color:#fff;\
             padding:10px 18px;border-radius:6px;text-decoration:none\">{label}</a></p>",
            href = escape(href),
            label = escape(label)
        ));
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;color:#0f172a;max-width:560px;margin:0 auto;padding:24px\">\
         <h1 style=\"font-size:20px\">{title}</h1>{body}\
         <p style=\"color:#64748b;font-size:12px\">Sent by Usher.</p></body></html>",
        title = escape(title)
    )
}

/// "Hello Jane," or "Hello," when the name is not known.
pub(crate) fn hello(first_name: &str) -> String {
    if first_name.trim().is_empty() {
        "Hello,".to_string()
    } else {
        format!("Hello {},", first_name.trim())
    }
}

/// A mail of paragraphs with an optional button, the same in text and HTML:
/// the link goes after the first `link_after` paragraphs in the text body.
pub(crate) fn compose(
    template: &'static str,
    title: &str,
    lines: &[String],
    link: Option<(&str, &str)>,
    link_after: usize,
) -> Rendered {
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i == link_after {
            if let Some((label, href)) = link {
                text.push_str(&format!("{label}: {href}\n\n"));
            }
        }
        text.push_str(line);
        text.push_str("\n\n");
    }
    if link_after >= lines.len() {
        if let Some((label, href)) = link {
            text.push_str(&format!("{label}: {href}\n\n"));
        }
    }
    text.push_str("-- Usher\n");
    Rendered {
        attachments: Vec::new(),
        template,
        subject: title.to_string(),
        text,
        html: html_page(title, lines, link),
    }
}

/// To the first administrator, once set-up is complete.
pub fn admin_welcome(public_url: &str, username: &str) -> Rendered {
    let title = "Your Usher administrator account is ready";
    let sign_in = format!("{public_url}/login");
    let lines = vec![
        format!("Hello {username},"),
        "You have set up Usher and are its first administrator. Sign in any time to manage your users."
            .to_string(),
    ];
    Rendered {
        attachments: Vec::new(),
        template: "admin_welcome",
        subject: title.to_string(),
        text: format!(
            "{}\n\n{}\n\nSign in: {sign_in}\n\n-- Usher\n",
            lines[0], lines[1]
        ),
        html: html_page(title, &lines, Some(("Sign in to Usher", &sign_in))),
    }
}

/// The parts of an invitation mail.
pub struct InvitationMail<'a> {
    pub public_url: &'a str,
    pub token: &'a str,
    pub first_name: &'a str,
    pub inviter: &'a str,
    pub hours: i64,
}

/// To a person an admin invited: a link to choose their password.
pub fn invitation(m: InvitationMail<'_>) -> Rendered {
    let title = "You are invited to Usher";
    let link = format!("{}/invite?token={}", m.public_url, m.token);
    let hello = if m.first_name.trim().is_empty() {
        "Hello,".to_string()
    } else {
        format!("Hello {},", m.first_name.trim())
    };
    let lines = vec![
        hello,
        format!(
            "{} has created an account for you. Open the link below to confirm your name and choose a password.",
            m.inviter
        ),
        format!(
            "The link works once and for {} hours. If it has expired, open it anyway and ask for a new one.",
            m.hours
        ),
    ];
    Rendered {
        attachments: Vec::new(),
        template: "invitation",
        subject: title.to_string(),
        text: format!(
            "{}\n\n{}\n\nAccept the invitation: {link}\n\n{}\n\n-- Usher\n",
            lines[0], lines[1], lines[2]
        ),
        html: html_page(title, &lines, Some(("Accept the invitation", &link))),
    }
}

/// "Forgot password?" or an admin's "Send password recovery email".
pub fn password_recovery(public_url: &str, token: &str, first_name: &str) -> Rendered {
    let title = "Choose a new Usher password";
    let link = format!("{public_url}/reset-password?token={token}");
    let hello = if first_name.trim().is_empty() {
        "Hello,".to_string()
    } else {
        format!("Hello {},", first_name.trim())
    };
    let lines = vec![
        hello,
        "Someone asked to reset the password of your Usher account. Open the link below to choose a new one; it works once and for one hour. Choosing it signs you out everywhere.".to_string(),
        "If you did not ask for this, ignore this mail: your password stays as it is.".to_string(),
    ];
    Rendered {
        attachments: Vec::new(),
        template: "password_recovery",
        subject: title.to_string(),
        text: format!(
            "{}\n\n{}\n\nChoose a new password: {link}\n\n{}\n\n-- Usher\n",
            lines[0], lines[1], lines[2]
        ),
        html: html_page(title, &lines, Some(("Choose a new password", &link))),
    }
}

/// To a user whose password an admin set (never containing it).
pub fn password_set_by_admin(public_url: &str, first_name: &str, force_change: bool) -> Rendered {
    let title = "Your Usher password was changed";
    let sign_in = format!("{public_url}/login");
    let hello = if first_name.trim().is_empty() {
        "Hello,".to_string()
    } else {
        format!("Hello {},", first_name.trim())
    };
    let next = if force_change {
        "Your administrator will give you the new password. After signing in with it you will be asked to choose your own."
    } else {
        "Your administrator will give you the new password. You have been signed out on every device."
    };
    let lines = vec![
        hello,
        "An administrator set a new password for your Usher account.".to_string(),
        next.to_string(),
        "If you did not expect this, contact your administrator.".to_string(),
    ];
    Rendered {
        attachments: Vec::new(),
        template: "password_set_by_admin",
        subject: title.to_string(),
        text: format!(
            "{}\n\n{}\n{}\n\nSign in: {sign_in}\n\n{}\n\n-- Usher\n",
            lines[0], lines[1], lines[2], lines[3]
        ),
        html: html_page(title, &lines, Some(("Sign in to Usher", &sign_in))),
    }
}

/// "Send test email" on `/settings/mail`.
pub fn test_mail(public_url: &str) -> Rendered {
    let title = "Usher test email";
    let lines = vec![
        "This is a test email from Usher's mail settings.".to_string(),
        format!("Links in Usher's mail will start with {public_url}."),
    ];
    Rendered {
        attachments: Vec::new(),
        template: "test",
        subject: title.to_string(),
        text: format!("{}\n\n{}\n\n-- Usher\n", lines[0], lines[1]),
        html: html_page(title, &lines, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welcome_has_absolute_links_and_escapes() {
        let m = admin_welcome("https://usher.example", "a<b");
        assert!(m.text.contains("https://usher.example/login"));
        assert!(m.html.contains("href=\"https://usher.example/login\""));
        assert!(m.html.contains("a&lt;b") && !m.html.contains("a<b"));
    }

    #[test]
    fn invitation_links_to_the_invite_page() {
        let m = invitation(InvitationMail {
            public_url: "https://usher.example",
            token: "abc",
            first_name: "Jane",
            inviter: "ops.admin",
            hours: 24,
        });
        assert!(m.text.contains("https://usher.example/invite?token=abc"));
        assert!(m.text.contains("Hello Jane,") && m.text.contains("24 hours"));
        assert!(m
            .html
            .contains("href=\"https://usher.example/invite?token=abc\""));
    }
}
