//! Delegated administration over HTTP: a narrow role's escalation attempts
//! are refused with the rule named (and audited), failed sign-ins are
//! delayed, and one-time certificate passwords are taken with a POST.
use app::model::Permission;

use super::*;

/// The escalation attempts of a help desk (users.read + users.write) over
/// HTTP: each is a 403 naming the rule, and the Admin is unchanged.
#[tokio::test]
async fn a_help_desk_is_refused_with_the_rule_named() {
    let s = start().await;
    let root = users::find(&s.db.db, "root.admin").await.unwrap();
    let (desk, desk_role) = s
        .signed_in_with_role(
            "help.desk",
            "Help desk",
            &[Permission::UsersRead, Permission::UsersWrite],
        )
        .await;
    let admin_role = roles::ADMIN_ROLE_ID.to_string();
    type Attempt<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let attempts: [Attempt; 4] = [
        (
            "users/update",
            vec![
                ("username", "root.admin"),
                ("first_name", "Root"),
                ("last_name", "Admin"),
                ("email", "desk@evil.example"),
                ("phone", ""),
                ("role", &admin_role),
                ("origin", "internal"),
            ],
            "their role, Admin, has permissions you do not hold",
        ),
        (
            "users/set-active",
            vec![("username", "root.admin"), ("active", "false")],
            "their role, Admin",
        ),
        (
            "users/send-recovery",
            vec![("username", "root.admin")],
            "their role, Admin",
        ),
        (
            "users/create",
            vec![
                ("username", "new.admin"),
                ("first_name", "New"),
                ("last_name", "Admin"),
                ("email", "new.admin@example.com"),
                ("phone", ""),
                ("role", &admin_role),
                ("origin", "internal"),
                ("status", "active"),
                ("password", "a long enough passphrase"),
            ],
            "You cannot give the role Admin",
        ),
    ];
    for (endpoint, form, words) in attempts {
        let res = s.call(endpoint, &form, Some(&desk)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
        match error_of(res).await {
            app::AppError::Refused(message) => {
                assert!(message.contains(words), "{endpoint}: {message}")
            }
            other => panic!("{endpoint}: {other:?}"),
        }
    }
    let after = users::find(&s.db.db, "root.admin").await.unwrap();
    assert_eq!(after, root);
    // Each attempt left a trace in the audit log, with the rule.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let refusals = usher_core::db::entities::audit_event::Entity::find()
        .filter(usher_core::db::entities::audit_event::Column::Action.eq("access.refused"))
        .all(&s.db.db)
        .await
        .unwrap();
    assert_eq!(refusals.len(), 4, "{refusals:?}");
    assert!(refusals
        .iter()
        .all(|e| e.actor_name.as_deref() == Some("help.desk")));
    assert!(refusals.iter().any(|e| e
        .details
        .as_deref()
        .unwrap_or("")
        .contains("You cannot give the role Admin")));
    assert!(users::find(&s.db.db, "new.admin").await.is_err());
    // The role choices offer only what the help desk may give.
    let options = s.call("users/options", &[], Some(&desk)).await;
    let options: app::model::FilterChoices = options.json().await.unwrap();
    assert!(options.roles.iter().any(|(id, _)| *id == admin_role));
    assert!(!options.givable.contains(&admin_role));
    assert!(options.givable.contains(&desk_role.to_string()));
    s.stop().await;
}

/// Failed sign-ins slow the next ones down: 429 with Retry-After, and the
/// right password waits too (it is not checked while the delay runs).
#[tokio::test]
async fn failed_sign_ins_are_delayed_with_retry_after() {
    let s = start().await;
    let wrong = [("username", "gen.user"), ("password", "not the password")];
    for _ in 0..3 {
        let res = s.call("login", &wrong, None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let right = [("username", "gen.user"), ("password", USER_PASSWORD)];
    let res = s.call("login", &right, None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert!(matches!(
        error_of(res).await,
        app::AppError::TooManyAttempts(_)
    ));
    tokio::time::sleep(std::time::Duration::from_millis(1100 * retry)).await;
    s.sign_in("gen.user", USER_PASSWORD).await;
    s.stop().await;
}

/// The one-time certificate passwords are taken with a POST only (a GET, as
/// a prefetch or crawler would send, spends nothing), and only by the
/// import's creator or an Admin.
#[tokio::test]
async fn certificate_passwords_are_taken_with_a_post() {
    let s = start().await;
    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let path = format!("/import/{}/certificate-passwords.csv", uuid::Uuid::new_v4());
    let get = s
        .client
        .get(s.url(&path))
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    let post = s
        .client
        .post(s.url(&path))
        .header(COOKIE, &admin)
        .header("Origin", &s.base)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::NOT_FOUND, "no such import");
    s.stop().await;
}

/// A certificate manager below Admin cannot issue an Admin a certificate (a
/// certificate signs its holder in).
#[tokio::test]
async fn a_certificate_manager_cannot_issue_an_admin_a_certificate() {
    let s = start().await;
    let (desk, _) = s
        .signed_in_with_role(
            "cert.desk",
            "Certificate desk",
            &[Permission::UsersRead, Permission::CertificatesManage],
        )
        .await;
    let res = s
        .call(
            "certificates/issue",
            &[("username", "root.admin")],
            Some(&desk),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        matches!(error_of(res).await, app::AppError::Refused(m) if m.contains("their role, Admin"))
    );
    // Within reach it works.
    let ok = s
        .call(
            "certificates/issue",
            &[("username", "gen.user")],
            Some(&desk),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    use sea_orm::{EntityTrait, PaginatorTrait};
    let issued = usher_core::db::entities::certificate::Entity::find()
        .count(&s.db.db)
        .await
        .unwrap();
    assert_eq!(issued, 1, "only gen.user's");
    s.stop().await;
}
