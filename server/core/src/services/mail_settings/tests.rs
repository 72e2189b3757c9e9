use super::*;

fn input() -> Input {
    Input {
        host: "smtp.example.com".into(),
        port: "587".into(),
        security: "starttls".into(),
        username: "usher".into(),
        password: "s3cret".into(),
        from_name: "Usher, Inc.".into(),
        from_address: "usher@example.com".into(),
        public_url: "https://usher.example.com/".into(),
        ..Default::default()
    }
}

/// A stolen session cannot point recovery mail elsewhere: a new SMTP
/// host or public address needs the admin's own password.
#[tokio::test]
async fn a_new_host_or_public_address_needs_the_current_password() {
    let t = crate::testkit::TestDb::new().await;
    let actor = crate::testkit::actor_for(&crate::testkit::add_root(&t.db).await);
    let before = validate(&input(), None).unwrap();
    let same = Input {
        from_name: "Usher".into(),
        ..input()
    };
    save(&t.db, &actor, &same, Some(&before)).await.unwrap();
    for (host, url) in [
        ("evil.example", "https://usher.example.com"),
        ("smtp.example.com", "https://evil.example"),
    ] {
        let moved = |current: &str| Input {
            host: host.into(),
            public_url: url.into(),
            current_password: current.into(),
            ..input()
        };
        let none = save(&t.db, &actor, &moved(""), Some(&before)).await;
        assert!(none
            .unwrap_err()
            .field_message("current_password")
            .is_some());
        let wrong = save(&t.db, &actor, &moved("not mine"), Some(&before)).await;
        assert_eq!(
            wrong
                .unwrap_err()
                .field_message("current_password")
                .as_deref(),
            Some("That is not your current password.")
        );
        save(
            &t.db,
            &actor,
            &moved("a long admin passphrase"),
            Some(&before),
        )
        .await
        .unwrap();
    }
    t.close().await;
}

#[test]
fn the_password_is_kept_replaced_or_cleared() {
    let first = validate(&input(), None).unwrap();
    assert_eq!(first.public_url, "https://usher.example.com");
    let keep = Input {
        password: String::new(),
        ..input()
    };
    assert_eq!(validate(&keep, Some(&first)).unwrap().password, "s3cret");
    let clear = Input {
        clear_password: true,
        ..input()
    };
    assert_eq!(validate(&clear, Some(&first)).unwrap().password, "");
    // A name with a comma is quoted in the sender.
    assert_eq!(
        sender(&first.from_name, &first.from_address),
        "\"Usher, Inc.\" <usher@example.com>"
    );
}

#[test]
fn a_kept_password_never_goes_to_another_server() {
    let first = validate(&input(), None).unwrap();
    let elsewhere = Input {
        host: "smtp.attacker.example".into(),
        password: String::new(),
        ..input()
    };
    let refused = validate(&elsewhere, Some(&first)).unwrap_err();
    assert!(refused.field_message("password").is_some());
    let other_user = Input {
        username: "someone.else".into(),
        password: String::new(),
        ..input()
    };
    assert!(validate(&other_user, Some(&first)).is_err());
    // The environment's password is kept by a first save.
    let env = Effective {
        smtp: Some(SmtpConfig {
            host: "smtp.example.com".into(),
            port: 587,
            security: SmtpSecurity::StartTls,
            username: Some("usher".into()),
            password: Some("from-env".into()),
        }),
        from: "Usher <usher@example.com>".into(),
        public_url: "https://usher.example.com".into(),
        saved: None,
    };
    let keep = Input {
        password: String::new(),
        ..input()
    };
    let saved = validate(&keep, Some(&in_use(&env))).unwrap();
    assert_eq!(saved.password, "from-env");
}

#[test]
fn each_bad_field_is_named() {
    let bad = Input {
        port: "70000".into(),
        security: "ssl".into(),
        from_address: "nope".into(),
        public_url: "usher.example.com".into(),
        ..input()
    };
    let Err(AppError::Validation(errors)) = validate(&bad, None) else {
        panic!("refused")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["port", "security", "from_address", "public_url"]);
    // No host: the file outbox, and no port needed.
    let file = Input {
        host: String::new(),
        port: String::new(),
        ..input()
    };
    assert!(validate(&file, None).is_ok());
    assert!(check_public_url("https://x.example/path").is_ok());
    assert!(check_public_url("https://user@x.example").is_err());
}
