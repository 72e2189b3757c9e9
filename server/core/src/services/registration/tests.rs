//! Self-registration on the chosen back-end: closed by default, the same
//! answer for taken names and addresses, the confirmation link's single use
//! and expiry, and the reviewers' mail.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use shared::model::{Registration, UserStatus};
use shared::AppError;

use super::*;
use crate::db::entities::{access_request, mail_outbox, one_time_token};
use crate::testkit::{actor_for, add_root, add_user, links_mailed, TestDb};

const URL: &str = "https://usher.test";

pub(crate) async fn open_registration(db: &DatabaseConnection) {
    let root = actor_for(&add_root(db).await);
    let open = shared::validation::Policy {
        registration_open: true,
        ..Default::default()
    };
    crate::services::policy::save(db, &root, open)
        .await
        .unwrap();
}

pub(crate) fn person(username: &str, email: &str) -> Registration {
    Registration {
        username: username.into(),
        first_name: "Robin".into(),
        last_name: "Reed".into(),
        email: email.into(),
        message: "I joined the support team.".into(),
    }
}

pub(crate) async fn confirmations_to(db: &DatabaseConnection, to: &str) -> Vec<String> {
    links_mailed(
        db,
        to,
        "email_confirmation",
        &format!("{URL}/register/confirm"),
    )
    .await
}

async fn mails_to(db: &DatabaseConnection, to: &str, template: &str) -> u64 {
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq(to))
        .filter(mail_outbox::Column::Template.eq(template))
        .count(db)
        .await
        .unwrap()
}

async fn status_of(db: &DatabaseConnection, username: &str) -> String {
    crate::services::users::find(db, username)
        .await
        .unwrap()
        .status
}

#[tokio::test]
async fn registration_is_closed_until_an_admin_opens_it() {
    let t = TestDb::new().await;
    let refused = register(&t.db, &person("robin.reed", "robin@example.com"), None, URL).await;
    assert!(matches!(refused, Err(AppError::Conflict(_))));
    assert_eq!(
        mails_to(&t.db, "robin@example.com", "email_confirmation").await,
        0
    );
    t.close().await;
}

#[tokio::test]
async fn a_registrant_confirms_once_and_the_reviewers_are_told() {
    let t = TestDb::new().await;
    open_registration(&t.db).await;
    let bad = register(&t.db, &person("R", "not-an-address"), None, URL)
        .await
        .unwrap_err();
    assert!(bad.field_message("username").is_some());
    assert!(bad.field_message("email").is_some());

    register(
        &t.db,
        &person("Robin.Reed", " robin@example.com "),
        Some("10.0.0.1"),
        URL,
    )
    .await
    .unwrap();
    assert_eq!(status_of(&t.db, "robin.reed").await, "pending_email");
    let request = access_request::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.status, "pending_email");
    assert_eq!(
        request.message.as_deref(),
        Some("I joined the support team.")
    );

    let token = confirmations_to(&t.db, "robin@example.com").await.remove(0);
    assert_eq!(check(&t.db, &token).await.unwrap(), "robin@example.com");
    // Not usable for another purpose.
    assert!(crate::services::invitations::check(&t.db, &token)
        .await
        .is_err());

    confirm(&t.db, &token, None, URL).await.unwrap();
    assert_eq!(status_of(&t.db, "robin.reed").await, "review");
    let request = access_request::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.status, "review");
    assert!(request.confirmed_at.is_some());
    assert_eq!(
        mails_to(&t.db, "root@example.com", "request_received").await,
        1
    );
    let again = confirm(&t.db, &token, None, URL).await;
    assert!(matches!(again, Err(AppError::InvalidLink(_))));
    assert_eq!(
        mails_to(&t.db, "root@example.com", "request_received").await,
        1
    );
    t.close().await;
}

#[tokio::test]
async fn taken_names_and_addresses_get_the_same_answer_and_a_mail_instead() {
    let t = TestDb::new().await;
    open_registration(&t.db).await;
    add_user(&t.db, "taken.name", UserStatus::Active).await;
    let users_before = crate::db::entities::user::Entity::find()
        .count(&t.db)
        .await
        .unwrap();
    // An address that has an account: its owner hears of it.
    register(
        &t.db,
        &person("someone.new", "TAKEN.NAME@example.com"),
        None,
        URL,
    )
    .await
    .unwrap();
    assert_eq!(
        mails_to(&t.db, "taken.name@example.com", "registration_existing").await,
        1
    );
    // A username that is taken: the registrant's own address is told.
    register(&t.db, &person("taken.name", "fresh@example.com"), None, URL)
        .await
        .unwrap();
    assert_eq!(
        mails_to(&t.db, "fresh@example.com", "registration_username_taken").await,
        1
    );
    let users_after = crate::db::entities::user::Entity::find()
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(users_before, users_after, "no account was made");
    t.close().await;
}

#[tokio::test]
async fn registering_again_before_confirming_replaces_the_link() {
    let t = TestDb::new().await;
    open_registration(&t.db).await;
    let robin = person("robin.reed", "robin@example.com");
    register(&t.db, &robin, None, URL).await.unwrap();
    register(&t.db, &robin, None, URL).await.unwrap();
    let tokens = confirmations_to(&t.db, "robin@example.com").await;
    assert_eq!(tokens.len(), 2);
    assert!(matches!(
        check(&t.db, &tokens[0]).await,
        Err(AppError::InvalidLink(_))
    ));
    assert!(check(&t.db, &tokens[1]).await.is_ok());
    // An expired link cannot be used either.
    one_time_token::Entity::update_many()
        .col_expr(
            one_time_token::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .exec(&t.db)
        .await
        .unwrap();
    let expired = confirm(&t.db, &tokens[1], None, URL).await.unwrap_err();
    assert!(expired.to_string().contains("expired"), "{expired}");
    assert_eq!(status_of(&t.db, "robin.reed").await, "pending_email");
    t.close().await;
}

#[tokio::test]
async fn one_network_may_register_ten_times_an_hour() {
    let t = TestDb::new().await;
    open_registration(&t.db).await;
    for n in 0..10 {
        let p = person(&format!("person.{n}"), &format!("p{n}@example.com"));
        register(&t.db, &p, Some("2001:db8:9:9::1"), URL)
            .await
            .unwrap();
    }
    let p = person("person.eleven", "p11@example.com");
    register(&t.db, &p, Some("2001:db8:9:9::2"), URL)
        .await
        .unwrap();
    assert_eq!(
        mails_to(&t.db, "p11@example.com", "email_confirmation").await,
        0
    );
    assert!(crate::services::users::username_taken(&t.db, "person.9")
        .await
        .unwrap());
    assert!(
        !crate::services::users::username_taken(&t.db, "person.eleven")
            .await
            .unwrap()
    );
    t.close().await;
}
