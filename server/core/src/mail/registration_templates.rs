//! The mails of self-registration: confirming the address, telling reviewers
//! a request is waiting, and the decision. None contains a password.
use super::templates::{compose, hello, Rendered};

/// After `/register`: a link to confirm the address.
pub fn confirm_email(public_url: &str, token: &str, first_name: &str, hours: i64) -> Rendered {
    let link = format!("{public_url}/register/confirm?token={token}");
    let lines = [
        hello(first_name),
        "Thank you for requesting an Usher account. Confirm that this address is yours with the link below; an administrator then reviews your request.".to_string(),
        format!("The link works once and for {hours} hours. If you did not ask for an account, ignore this mail and nothing happens."),
    ];
    compose(
        "email_confirmation",
        "Confirm your email address for Usher",
        &lines,
        Some(("Confirm my email address", &link)),
        2,
    )
}

/// To the owner of an address someone registered again: no second account
/// is made, and the page said nothing about it.
pub fn already_registered(public_url: &str, first_name: &str) -> Rendered {
    let sign_in = format!("{public_url}/login");
    let forgot = format!("{public_url}/forgot-password");
    let lines = [
        hello(first_name),
        "Someone asked for a new Usher account with this email address, which already has one. No second account was made.".to_string(),
        format!("If it was you, sign in instead. If you forgot your password, ask for a new one at {forgot}. If it was not you, ignore this mail."),
    ];
    compose(
        "registration_existing",
        "You already have an Usher account",
        &lines,
        Some(("Sign in to Usher", &sign_in)),
        3,
    )
}

/// To a registrant whose chosen username is taken (sent to their own
/// address, so the page itself reveals nothing).
pub fn username_taken(public_url: &str, first_name: &str, username: &str) -> Rendered {
    let register = format!("{public_url}/register");
    let lines = [
        hello(first_name),
        format!("You asked for an Usher account with the username \"{username}\", but it is already taken, so no account was made."),
        "Please register again with a different username.".to_string(),
    ];
    compose(
        "registration_username_taken",
        "Choose another Usher username",
        &lines,
        Some(("Register again", &register)),
        3,
    )
}

/// To each reviewer once a registrant confirmed their address.
pub fn request_received(public_url: &str, username: &str, name: &str, email: &str) -> Rendered {
    let link = format!("{public_url}/requests");
    let lines = [
        "Hello,".to_string(),
        format!("{name} ({email}) asked for an Usher account as \"{username}\" and has confirmed their address."),
        "Approve or reject the request on the Access requests page.".to_string(),
    ];
    compose(
        "request_received",
        &format!("Access request from {name}"),
        &lines,
        Some(("Review access requests", &link)),
        3,
    )
}

/// Approval: the link sets the password (the invitation page).
pub fn request_approved(public_url: &str, token: &str, first_name: &str, hours: i64) -> Rendered {
    let link = format!("{public_url}/invite?token={token}");
    let lines = [
        hello(first_name),
        "Your request for an Usher account was approved. Open the link below to choose your password; then you can sign in.".to_string(),
        format!("The link works once and for {hours} hours. If it has expired, open it anyway and ask for a new one."),
    ];
    compose(
        "request_approved",
        "Your Usher account is approved",
        &lines,
        Some(("Choose your password", &link)),
        2,
    )
}

/// Rejection, with the reviewer's reason.
pub fn request_rejected(first_name: &str, reason: &str) -> Rendered {
    let lines = [
        hello(first_name),
        "Your request for an Usher account was not approved.".to_string(),
        format!("The reason given: {reason}"),
        "If you think this is a mistake, reply to your administrator.".to_string(),
    ];
    compose(
        "request_rejected",
        "Your Usher account request",
        &lines,
        None,
        4,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_links_are_absolute_and_escaped_in_html() {
        let m = confirm_email("https://usher.example", "tok", "<Jane>", 24);
        assert!(m.text.contains(
            "Confirm my email address: https://usher.example/register/confirm?token=tok"
        ));
        assert!(m.html.contains("Hello &lt;Jane&gt;,"));
        assert!(!m.html.contains("<Jane>"));
    }

    #[test]
    fn a_rejection_carries_the_reason() {
        let m = request_rejected("Jo", "Not a member of staff.");
        assert!(m.text.contains("The reason given: Not a member of staff."));
        assert_eq!(m.template, "request_rejected");
    }
}
