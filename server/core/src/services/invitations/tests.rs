//! Invitations on the chosen back-end: the mail, the link's single use,
//! resending, expiry, wrong purpose, and "Ask for a new link".
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use shared::model::UserStatus;
use shared::AppError;

use super::*;
use crate::db::entities::audit_event;
use crate::testkit::{actor_for, add_root, add_user, links_mailed, TestDb};

const URL: &str = "https://usher.test";

async fn root(db: &DatabaseConnection) -> Actor {
    actor_for(&add_root(db).await)
}

/// The tokens in the invitation mails to `to`, oldest first.
async fn tokens_mailed_to(db: &DatabaseConnection, to: &str) -> Vec<String> {
    links_mailed(db, to, "invitation", &format!("{URL}/invite")).await
}

fn joining<'a>(token: &'a str, password: &'a str) -> Joining<'a> {
    Joining {
        token,
        first_name: " Jane ",
        last_name: "Doe",
        password,
        ip: Some("127.0.0.1"),
    }
}

fn is_invalid_link(result: Result<impl std::fmt::Debug, AppError>) -> bool {
    matches!(result, Err(AppError::InvalidLink(_)))
}

#[tokio::test]
async fn invited_person_joins_once_with_a_policy_checked_password() {
    let t = TestDb::new().await;
    let admin = root(&t.db).await;
    let invitee = add_user(&t.db, "jane.doe", UserStatus::Invited).await;
    let to = send_to(&t.db, &admin, "jane.doe", URL).await.unwrap();
    assert_eq!(to, "jane.doe@example.com");
    let token = tokens_mailed_to(&t.db, &to).await.remove(0);
    assert!(token.len() >= 43, "at least 256 bits, base64url");

    let seen = check(&t.db, &token).await.unwrap();
    assert_eq!(
        (seen.username.as_str(), seen.first_name.as_str()),
        ("jane.doe", "Pat")
    );

    let short = accept(&t.db, joining(&token, "short")).await.unwrap_err();
    assert!(short.field_message("password").is_some());
    let common = accept(&t.db, joining(&token, "1qaz2wsx3edc"))
        .await
        .unwrap_err();
    assert!(common.field_message("password").is_some(), "{common:?}");
    let digits = Joining {
        first_name: "J4ne",
        ..joining(&token, "a long chosen passphrase")
    };
    let digits = accept(&t.db, digits).await.unwrap_err();
    assert!(digits.field_message("first_name").is_some());

    let joined = accept(&t.db, joining(&token, "a long chosen passphrase"))
        .await
        .unwrap();
    assert_eq!(joined.id, invitee.id);
    assert_eq!(joined.status, "active");
    assert_eq!(joined.first_name, "Jane");
    assert!(joined.password_changed_at.is_some());
    let hash = joined.password_hash.clone().unwrap();
    assert!(passwords::verify("a long chosen passphrase".into(), Some(hash)).await);

    // The link works once.
    assert!(is_invalid_link(check(&t.db, &token).await));
    let again = accept(&t.db, joining(&token, "another long passphrase")).await;
    assert!(is_invalid_link(again));
    let joins = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("user.join"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(joins, 1);
    // An account that has joined gets no more invitations.
    let late = send_to(&t.db, &admin, "jane.doe", URL).await;
    assert!(matches!(late, Err(AppError::Conflict(_))));
    t.close().await;
}

#[tokio::test]
async fn resending_ends_the_earlier_link() {
    let t = TestDb::new().await;
    let admin = root(&t.db).await;
    add_user(&t.db, "sam.lee", UserStatus::Invited).await;
    send_to(&t.db, &admin, "sam.lee", URL).await.unwrap();
    send_to(&t.db, &admin, "sam.lee", URL).await.unwrap();
    let tokens = tokens_mailed_to(&t.db, "sam.lee@example.com").await;
    assert_eq!(tokens.len(), 2);
    assert!(is_invalid_link(check(&t.db, &tokens[0]).await));
    let old = accept(&t.db, joining(&tokens[0], "a long chosen passphrase")).await;
    assert!(is_invalid_link(old));
    accept(&t.db, joining(&tokens[1], "a long chosen passphrase"))
        .await
        .unwrap();
    t.close().await;
}

#[tokio::test]
async fn expired_wrong_purpose_and_deactivated_links_are_refused() {
    let t = TestDb::new().await;
    let admin = root(&t.db).await;
    add_user(&t.db, "old.link", UserStatus::Invited).await;
    send_to(&t.db, &admin, "old.link", URL).await.unwrap();
    let token = tokens_mailed_to(&t.db, "old.link@example.com")
        .await
        .remove(0);
    one_time_token::Entity::update_many()
        .col_expr(
            one_time_token::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .exec(&t.db)
        .await
        .unwrap();
    assert!(is_invalid_link(check(&t.db, &token).await));
    let late = accept(&t.db, joining(&token, "a long chosen passphrase")).await;
    assert!(is_invalid_link(late));

    // A set-up link is not an invitation.
    let setup = crate::services::setup::issue_token(&t.db).await.unwrap();
    assert!(is_invalid_link(check(&t.db, &setup).await));
    assert!(is_invalid_link(check(&t.db, "not-a-token").await));

    // A deactivated invitee's link stops working.
    add_user(&t.db, "gone.user", UserStatus::Invited).await;
    send_to(&t.db, &admin, "gone.user", URL).await.unwrap();
    let token = tokens_mailed_to(&t.db, "gone.user@example.com")
        .await
        .remove(0);
    user::Entity::update_many()
        .col_expr(user::Column::Status, Expr::value("inactive"))
        .filter(user::Column::UsernameLc.eq("gone.user"))
        .exec(&t.db)
        .await
        .unwrap();
    let refused = check(&t.db, &token).await.unwrap_err();
    assert!(refused.to_string().contains("no longer valid"), "{refused}");
    t.close().await;
}

#[tokio::test]
async fn asking_for_a_new_link_mails_the_invited_address_at_most_every_ten_minutes() {
    let t = TestDb::new().await;
    let admin = root(&t.db).await;
    add_user(&t.db, "slow.reader", UserStatus::Invited).await;
    send_to(&t.db, &admin, "slow.reader", URL).await.unwrap();
    let to = "slow.reader@example.com";
    let first = tokens_mailed_to(&t.db, to).await.remove(0);

    // Just sent: asking again sends nothing.
    renew(&t.db, &first, None, URL).await.unwrap();
    assert_eq!(tokens_mailed_to(&t.db, to).await.len(), 1);

    // An hour later, after it expired: a new link goes to the same address.
    let earlier = Utc::now() - Duration::hours(1);
    one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::CreatedAt, Expr::value(earlier))
        .col_expr(one_time_token::Column::ExpiresAt, Expr::value(earlier))
        .exec(&t.db)
        .await
        .unwrap();
    renew(&t.db, &first, Some("10.0.0.9"), URL).await.unwrap();
    let tokens = tokens_mailed_to(&t.db, to).await;
    assert_eq!(tokens.len(), 2);
    check(&t.db, &tokens[1]).await.unwrap();
    // Unknown tokens get the same quiet answer.
    renew(&t.db, "not-a-token", None, URL).await.unwrap();
    t.close().await;
}

#[tokio::test]
async fn creating_a_user_with_an_invitation_queues_the_mail() {
    let t = TestDb::new().await;
    let admin = root(&t.db).await;
    let created = crate::services::add_user::create(
        &t.db,
        &admin,
        crate::services::add_user::CreateUser {
            input: shared::validation::NewUserInput {
                username: "new.hire".into(),
                first_name: "Nina".into(),
                last_name: "Hale".into(),
                email: "nina@example.com".into(),
                invite: true,
                ..Default::default()
            },
            role_id: crate::services::roles::USER_ROLE_ID,
            group_ids: vec![],
            external: false,
            active: true,
        },
        URL,
    )
    .await
    .unwrap();
    assert_eq!(created.status, "invited");
    assert!(created.password_hash.is_none());
    let token = tokens_mailed_to(&t.db, "nina@example.com").await.remove(0);
    assert_eq!(check(&t.db, &token).await.unwrap().first_name, "Nina");
    t.close().await;
}
