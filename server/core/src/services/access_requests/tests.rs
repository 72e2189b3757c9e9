//! Reviewing access requests on the chosen back-end: approve (role, groups,
//! a link to choose a password, then Active), reject with a reason, one
//! decision only, and no granting more than one's own permissions.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use shared::model::{Permission, RequestStatus, UserStatus};
use shared::AppError;

use super::*;
use crate::db::entities::mail_outbox;
use crate::services::registration::tests::{confirmations_to, open_registration, person};
use crate::services::{invitations, lifecycle, registration, roles, users};
use crate::testkit::{actor_for, links_mailed, TestDb};

const URL: &str = "https://usher.test";

/// A confirmed request from `name`; returns its id.
async fn confirmed(db: &DatabaseConnection, name: &str) -> String {
    let email = format!("{name}@example.com");
    registration::register(db, &person(name, &email), None, URL)
        .await
        .unwrap();
    let token = confirmations_to(db, &email).await.remove(0);
    registration::confirm(db, &token, None, URL).await.unwrap();
    let page = list(db, RequestStatus::Review, 1).await.unwrap();
    page.items
        .into_iter()
        .find(|r| r.username == name)
        .unwrap()
        .id
}

/// Approves `id` as a General user, with no groups.
async fn approve_as_general_user(
    db: &DatabaseConnection,
    admin: &Actor,
    id: &str,
) -> Result<String, AppError> {
    let approval = Approval {
        role_id: roles::USER_ROLE_ID,
        group_ids: vec![],
    };
    approve(db, admin, id, approval, URL, None)
        .await
        .map(|a| a.username)
}

async fn root(db: &DatabaseConnection) -> Actor {
    actor_for(&users::find(db, "root.admin").await.unwrap())
}

#[tokio::test]
async fn an_approved_person_chooses_a_password_and_becomes_active() {
    let t = TestDb::new().await;
    open_registration(&t.db).await;
    let admin = root(&t.db).await;
    let id = confirmed(&t.db, "robin.reed").await;
    let waiting = list(&t.db, RequestStatus::Review, 1).await.unwrap();
    assert_eq!((waiting.total, waiting.waiting), (1, 1));
    let staff_id = groups::create(&t.db, &admin, "Staff", "").await.unwrap();

    let approval = Approval {
        role_id: roles::USER_ROLE_ID,
        group_ids: vec![staff_id],
    };
    approve(&t.db, &admin, &id, approval, URL, None)
        .await
        .unwrap();
    let shown = detail(&t.db, &id).await.unwrap();
    assert_eq!(shown.status, RequestStatus::Approved);
    assert_eq!(shown.decided_by.as_deref(), Some("root.admin"));
    let person = users::find(&t.db, "robin.reed").await.unwrap();
    assert_eq!(person.status, UserStatus::Invited.as_str());
    assert_eq!(waiting_count(&t.db).await, 0);

    let again = approve_as_general_user(&t.db, &admin, &id).await;
    assert!(matches!(again, Err(AppError::Conflict(_))));

    let token = links_mailed(
        &t.db,
        "robin.reed@example.com",
        "request_approved",
        &format!("{URL}/invite"),
    )
    .await
    .remove(0);
    let joined = invitations::accept(
        &t.db,
        invitations::Joining {
            token: &token,
            first_name: "Robin",
            last_name: "Reed",
            password: "a long approved passphrase",
            ip: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(joined.status, UserStatus::Active.as_str());
    let detail = lifecycle::detail(&t.db, &admin, "robin.reed")
        .await
        .unwrap();
    assert_eq!(detail.user.groups, ["Staff"]);
    t.close().await;
}

async fn waiting_count(db: &DatabaseConnection) -> u64 {
    waiting(db).await.unwrap()
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_is_kept_and_mailed() {
    let t = TestDb::new().await;
    open_registration(&t.db).await;
    let admin = root(&t.db).await;
    let id = confirmed(&t.db, "sam.spam").await;
    let blank = reject(&t.db, &admin, &id, "   ").await.unwrap_err();
    assert!(blank.field_message("reason").is_some());
    reject(&t.db, &admin, &id, "Not a member of staff.")
        .await
        .unwrap();
    let shown = detail(&t.db, &id).await.unwrap();
    assert_eq!(shown.status, RequestStatus::Rejected);
    assert_eq!(shown.reason.as_deref(), Some("Not a member of staff."));
    let person = users::find(&t.db, "sam.spam").await.unwrap();
    assert_eq!(person.status, UserStatus::Rejected.as_str());
    let rejected = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq("sam.spam@example.com"))
        .filter(mail_outbox::Column::Template.eq("request_rejected"))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert!(rejected.body_text.contains("Not a member of staff."));
    let kept = list(&t.db, RequestStatus::Rejected, 1).await.unwrap();
    assert_eq!(kept.total, 1);
    let late = approve_as_general_user(&t.db, &admin, &id).await;
    assert!(matches!(late, Err(AppError::Conflict(_))));
    t.close().await;
}

#[tokio::test]
async fn a_reviewer_cannot_grant_more_than_they_hold() {
    let t = TestDb::new().await;
    open_registration(&t.db).await;
    let admin = root(&t.db).await;
    let id = confirmed(&t.db, "eve.climber").await;
    let reviewers = roles::create(
        &t.db,
        &admin,
        "Reviewers",
        "",
        &[Permission::RequestsReview, Permission::UsersRead],
    )
    .await
    .unwrap();
    let reviewer = crate::testkit::add_user(&t.db, "rita.review", UserStatus::Active).await;
    let mut m: crate::db::entities::user::ActiveModel = reviewer.into();
    m.role_id = sea_orm::Set(reviewers);
    let reviewer = actor_for(&sea_orm::ActiveModelTrait::update(m, &t.db).await.unwrap());
    let refused = approve(
        &t.db,
        &reviewer,
        &id,
        Approval {
            role_id: roles::ADMIN_ROLE_ID,
            group_ids: vec![],
        },
        URL,
        None,
    )
    .await
    .err()
    .unwrap();
    assert!(
        matches!(&refused, AppError::Refused(m) if m.contains("You cannot give the role Admin")),
        "{refused:?}"
    );
    let unchanged = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Template.eq("request_approved"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(unchanged, 0);
    assert_eq!(
        detail(&t.db, &id).await.unwrap().status,
        RequestStatus::Review
    );
    t.close().await;
}

#[tokio::test]
async fn approval_in_certificate_mode_mails_a_certificate_instead_of_a_link() {
    let t = TestDb::new().await;
    open_registration(&t.db).await;
    let admin = root(&t.db).await;
    let id = confirmed(&t.db, "cert.holder").await;
    let ca = crate::services::ca::ensure(&t.db, &crate::testkit::TEST_CA_KEY, "Test Org")
        .await
        .unwrap();
    let approval = Approval {
        role_id: roles::USER_ROLE_ID,
        group_ids: vec![],
    };
    let with = CertificateApproval {
        ca: &ca,
        sign_in_url: "https://usher.test:3443/login",
    };
    let approved = approve(&t.db, &admin, &id, approval, URL, Some(with))
        .await
        .unwrap();
    let issued = approved
        .certificate
        .expect("a certificate in certificate mode");
    assert_eq!(issued.emailed_to, "cert.holder@example.com");
    let person = users::find(&t.db, "cert.holder").await.unwrap();
    assert_eq!(person.status, UserStatus::CertificateSent.as_str());
    let mails: Vec<String> = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq("cert.holder@example.com"))
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.template)
        .collect();
    assert!(
        mails.contains(&"certificate_issued".to_string()),
        "{mails:?}"
    );
    assert!(
        !mails.contains(&"request_approved".to_string()),
        "{mails:?}"
    );
    // The first certificate sign-in completes the account.
    crate::services::certificates::complete(&t.db, &person)
        .await
        .unwrap();
    let person = users::find(&t.db, "cert.holder").await.unwrap();
    assert_eq!(person.status, UserStatus::Active.as_str());
    t.close().await;
}
