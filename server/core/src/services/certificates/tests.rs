//! Users' certificates on the chosen back-end: issuing (mailed PKCS#12 that
//! opens with the shown password, no key kept), the sign-in look-up and its
//! refusals, revocation on deactivate and delete, the CRL, the table's
//! states, and approval in certificate mode.
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use shared::model::{CertificateState, RevocationReason, UserStatus};

use super::*;
use crate::db::entities::{certificate, mail_outbox, user};
use crate::mail::Attachment;
use crate::pki::{self, Ca, Pkcs12Profile};
use crate::services::{ca, crl, lifecycle};
use crate::testkit::{actor_for, add_root, add_user, TestDb, TEST_CA_KEY};

const URL: &str = "https://usher.test";
const SIGN_IN: &str = "https://usher.test:3443/login";

async fn the_ca(db: &DatabaseConnection) -> Ca {
    ca::ensure(db, &TEST_CA_KEY, "Test Org").await.unwrap()
}

async fn issue_to(
    db: &DatabaseConnection,
    ca: &Ca,
    person: &user::Model,
    admin: &user::Model,
) -> shared::model::IssuedCertificate {
    let actor = actor_for(admin);
    issue(
        db,
        ca,
        Issue {
            user: person,
            days: 365,
            profile: Pkcs12Profile::Modern,
            actor: Some(&actor),
            public_url: URL,
            sign_in_url: SIGN_IN,
        },
    )
    .await
    .unwrap()
}

/// A new active user `name` with a certificate, and the certificate (DER)
/// from the mailed PKCS#12.
async fn holder(
    db: &DatabaseConnection,
    ca: &Ca,
    admin: &user::Model,
    name: &str,
) -> (user::Model, Vec<u8>) {
    let person = add_user(db, name, UserStatus::Active).await;
    let issued = issue_to(db, ca, &person, admin).await;
    let der = certificate_in(&mailed_files(db, &person.email).await, &issued.password);
    (person, der)
}

/// The attachments of the last certificate mail to `to`.
async fn mailed_files(db: &DatabaseConnection, to: &str) -> Vec<Attachment> {
    let mail = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq(to))
        .filter(mail_outbox::Column::Template.eq("certificate_issued"))
        .all(db)
        .await
        .unwrap()
        .pop()
        .expect("a certificate mail");
    assert!(!mail.body_text.contains("PRIVATE KEY"));
    serde_json::from_str(mail.attachments.as_deref().unwrap()).unwrap()
}

/// The user certificate (DER) inside the mailed PKCS#12.
fn certificate_in(files: &[Attachment], password: &str) -> Vec<u8> {
    let p12 = files.iter().find(|f| f.filename.ends_with(".p12")).unwrap();
    let store = p12_keystore::KeyStore::from_pkcs12(
        &p12.bytes,
        password,
        p12_keystore::Pkcs12ImportPolicy::Strict,
    )
    .expect("the shown password opens the mailed file");
    store.private_key_chain().unwrap().1.certs()[0]
        .as_der()
        .to_vec()
}

#[tokio::test]
async fn an_issued_certificate_is_mailed_and_signs_its_user_in() {
    let t = TestDb::new().await;
    let ca = the_ca(&t.db).await;
    let admin = add_root(&t.db).await;
    let person = add_user(&t.db, "pat.doe", UserStatus::Active).await;
    let issued = issue_to(&t.db, &ca, &person, &admin).await;
    assert_eq!(issued.emailed_to, "pat.doe@example.com");

    let files = mailed_files(&t.db, "pat.doe@example.com").await;
    let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
    assert_eq!(names, ["pat.doe.p12", "usher-ca.pem"]);
    let der = certificate_in(&files, &issued.password);

    let row = certificate::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.serial_hex, issued.serial_hex);
    assert_eq!(row.fingerprint_sha256, pki::fingerprint(&der));
    assert_eq!(row.issued_by.as_deref(), Some("root.admin"));
    assert!(
        !format!("{row:?}").contains(&issued.password),
        "the password is not kept"
    );

    let signed_in = authenticate(&t.db, Some(&der)).await.unwrap().unwrap();
    assert_eq!(signed_in.username, "pat.doe");
    let listed = of_user(&t.db, person.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, CertificateState::Active);
    assert!(
        (363..=365).contains(&listed[0].days_left),
        "{}",
        listed[0].days_left
    );
    t.close().await;
}

#[tokio::test]
async fn sign_in_refuses_missing_unknown_revoked_expired_and_inactive() {
    let t = TestDb::new().await;
    let ca = the_ca(&t.db).await;
    let admin = add_root(&t.db).await;
    let actor = actor_for(&admin);

    assert_eq!(
        authenticate(&t.db, None).await.unwrap().unwrap_err(),
        SignInRefusal::NotPresented
    );
    // Same CA key material nowhere: a certificate of another CA is unknown.
    let other = pki::new_ca("Elsewhere", time::OffsetDateTime::now_utc()).unwrap();
    let stranger = pki::issue_client(
        &other,
        &pki::ClientRequest {
            username: "pat.doe",
            email: "pat.doe@example.com",
            days: 30,
            crl_url: URL,
        },
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    assert_eq!(
        authenticate(&t.db, Some(&stranger.cert_der))
            .await
            .unwrap()
            .unwrap_err(),
        SignInRefusal::Unknown
    );

    let (_, der) = holder(&t.db, &ca, &admin, "rev.oked").await;
    let cert = certificate::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    revoke(&t.db, &actor, &cert, RevocationReason::KeyCompromise)
        .await
        .unwrap();
    assert_eq!(
        authenticate(&t.db, Some(&der)).await.unwrap().unwrap_err(),
        SignInRefusal::Revoked
    );
    let again = revoke(&t.db, &actor, &cert, RevocationReason::Unspecified).await;
    assert!(again.is_err(), "revoked once, with its first reason");

    let (old_user, der) = holder(&t.db, &ca, &admin, "old.timer").await;
    certificate::Entity::update_many()
        .col_expr(
            certificate::Column::NotAfter,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::days(1)),
        )
        .filter(certificate::Column::UserId.eq(old_user.id))
        .exec(&t.db)
        .await
        .unwrap();
    assert_eq!(
        authenticate(&t.db, Some(&der)).await.unwrap().unwrap_err(),
        SignInRefusal::Expired
    );
    let expired = list(&t.db, Some(CertificateState::Expired), "", 1)
        .await
        .unwrap();
    assert_eq!(expired.rows.len(), 1);
    assert_eq!(expired.rows[0].username, "old.timer");

    let (rejected, der) = holder(&t.db, &ca, &admin, "was.rejected").await;
    let mut m: user::ActiveModel = rejected.into();
    m.status = Set(UserStatus::Rejected.as_str().into());
    m.update(&t.db).await.unwrap();
    assert_eq!(
        authenticate(&t.db, Some(&der)).await.unwrap().unwrap_err(),
        SignInRefusal::Inactive
    );
    t.close().await;
}

#[tokio::test]
async fn deactivating_or_deleting_revokes_and_the_crl_lists_them() {
    let t = TestDb::new().await;
    let ca = the_ca(&t.db).await;
    let admin = add_root(&t.db).await;
    let actor = actor_for(&admin);
    let first = crl::refresh(&t.db, &ca).await.unwrap();
    for name in ["leaving.soon", "gone.now", "stays.here"] {
        let u = add_user(&t.db, name, UserStatus::Active).await;
        issue_to(&t.db, &ca, &u, &admin).await;
    }
    let page = lifecycle::detail(&t.db, &actor, "leaving.soon")
        .await
        .unwrap();
    assert_eq!(page.working_certificates, 1, "the confirmation counts it");
    let ended = lifecycle::set_active(&t.state(), &actor, "leaving.soon", false)
        .await
        .unwrap();
    assert_eq!(ended.certificates, 1, "the acknowledgement counts it");
    let page = lifecycle::detail(&t.db, &actor, "leaving.soon")
        .await
        .unwrap();
    assert_eq!(page.working_certificates, 0);
    lifecycle::delete(&t.state(), &actor, "gone.now")
        .await
        .unwrap();

    let revoked = list(&t.db, Some(CertificateState::Revoked), "", 1)
        .await
        .unwrap();
    let mut names: Vec<String> = revoked.rows.iter().map(|r| r.username.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        ["gone.now", "leaving.soon"],
        "kept after the user is deleted"
    );
    assert!(revoked
        .rows
        .iter()
        .all(|r| r.revocation_reason == Some(RevocationReason::CessationOfOperation)));

    // Deactivating and deleting each published a new CRL at once.
    let next = crl::refresh(&t.db, &ca).await.unwrap();
    assert_eq!(
        next.number,
        first.number + 2,
        "each revoking action publishes a new CRL"
    );
    assert_eq!(
        crl::refresh(&t.db, &ca).await.unwrap().number,
        next.number,
        "and only one"
    );
    let (_, parsed) = x509_parser::pem::parse_x509_pem(next.pem.as_bytes()).unwrap();
    let (_, parsed_crl) = x509_parser::parse_x509_crl(&parsed.contents).unwrap();
    let mut listed: Vec<String> = parsed_crl
        .iter_revoked_certificates()
        .map(|r| hex::encode(r.raw_serial()))
        .collect();
    listed.sort();
    let mut expected: Vec<String> = revoked.rows.iter().map(|r| r.serial_hex.clone()).collect();
    expected.sort();
    assert_eq!(listed, expected, "exactly the revoked serials");
    let active = list(&t.db, Some(CertificateState::Active), "st", 1)
        .await
        .unwrap();
    assert_eq!(active.rows.len(), 1);
    assert_eq!(active.rows[0].username, "stays.here");
    t.close().await;
}

#[tokio::test]
async fn certificate_settings_are_checked_and_kept() {
    let t = TestDb::new().await;
    let admin = add_root(&t.db).await;
    let actor = actor_for(&admin);
    let defaults = settings(&t.db).await.unwrap();
    assert_eq!(defaults.client_validity_days, 365);
    assert_eq!(defaults.approval_mode, shared::model::ApprovalMode::Link);
    let wanted = shared::model::CertificateSettings {
        client_validity_days: 90,
        approval_mode: shared::model::ApprovalMode::Certificate,
    };
    save_settings(&t.db, &actor, &wanted).await.unwrap();
    assert_eq!(settings(&t.db).await.unwrap(), wanted);
    let refused = save_settings(
        &t.db,
        &actor,
        &shared::model::CertificateSettings {
            client_validity_days: 0,
            ..wanted.clone()
        },
    )
    .await
    .unwrap_err();
    assert!(refused.field_message("client_validity_days").is_some());
    t.close().await;
}

#[tokio::test]
async fn expiry_reminders_go_out_at_30_and_7_days_once_each() {
    let t = TestDb::new().await;
    let ca = the_ca(&t.db).await;
    let admin = add_root(&t.db).await;
    let person = add_user(&t.db, "soon.expires", UserStatus::Active).await;
    issue_to(&t.db, &ca, &person, &admin).await;
    let expire_in = |days: i64| {
        certificate::Entity::update_many()
            .col_expr(
                certificate::Column::NotAfter,
                sea_orm::sea_query::Expr::value(
                    chrono::Utc::now() + chrono::Duration::days(days) + chrono::Duration::hours(1),
                ),
            )
            .filter(certificate::Column::UserId.eq(person.id))
    };
    let reminders = |db: DatabaseConnection| async move {
        mail_outbox::Entity::find()
            .filter(mail_outbox::Column::Template.eq("certificate_expiring"))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.subject)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        remind_expiring(&t.db, URL).await.unwrap(),
        0,
        "a year left: nothing"
    );
    expire_in(20).exec(&t.db).await.unwrap();
    assert_eq!(remind_expiring(&t.db, URL).await.unwrap(), 1);
    assert_eq!(
        remind_expiring(&t.db, URL).await.unwrap(),
        0,
        "once per step"
    );
    expire_in(5).exec(&t.db).await.unwrap();
    assert_eq!(remind_expiring(&t.db, URL).await.unwrap(), 1);
    assert_eq!(remind_expiring(&t.db, URL).await.unwrap(), 0);
    assert_eq!(
        reminders(t.db.clone()).await,
        [
            "Your Usher certificate expires in 20 days",
            "Your Usher certificate expires in 5 days"
        ]
    );
    let expiring = list(&t.db, Some(CertificateState::Expiring), "", 1)
        .await
        .unwrap();
    assert_eq!((expiring.rows.len(), expiring.expiring), (1, 1));
    t.close().await;
}

/// The CRL check's count reads the partial index of revoked certificates,
/// not the whole table (PostgreSQL is told to avoid a table scan, which it
/// would choose for a table this small; SQLite is told which index to use).
#[tokio::test]
async fn the_revoked_count_reads_its_partial_index() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let t = TestDb::new().await;
    let backend = t.db.get_database_backend();
    if backend == DbBackend::Sqlite {
        // 400 certificates, 8 of them revoked.
        t.db.execute_unprepared(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) \
             INSERT INTO certificates (id, user_id, username, serial_hex, fingerprint_sha256, \
             issued_at, not_after, revoked_at, expiry_notice) \
             SELECT i, i, 'u' || i, 's' || i, 'f' || i, '2026-01-01T00:00:00Z', \
             '2027-01-01T00:00:00Z', CASE WHEN i % 50 = 0 THEN '2026-06-01T00:00:00Z' END, 0 \
             FROM n",
        )
        .await
        .unwrap();
    }
    let count = crl::revoked_count_statement(backend);
    let txn = t.db.begin().await.unwrap();
    if backend == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await
            .unwrap();
    }
    let explain = if backend == DbBackend::Sqlite {
        "EXPLAIN QUERY PLAN"
    } else {
        "EXPLAIN"
    };
    let plan = txn
        .query_all_raw(Statement {
            sql: format!("{explain} {}", count.sql),
            ..count.clone()
        })
        .await
        .unwrap();
    let column = if backend == DbBackend::Sqlite { 3 } else { 0 };
    let text: Vec<String> = plan
        .iter()
        .map(|row| row.try_get_by_index::<String>(column).unwrap())
        .collect();
    assert!(
        text.iter()
            .any(|line| line.contains("certificates_revoked")),
        "{} {text:?}",
        count.sql
    );
    let expected = if backend == DbBackend::Sqlite { 8 } else { 0 };
    assert_eq!(
        crate::services::count_of(&txn, count).await.unwrap(),
        expected
    );
}

/// "Renew expiring" replaces each soon-expiring certificate the actor may
/// act on (old one superseded, new one mailed) and leaves an Admin's to a
/// certificate manager who does not hold every permission.
#[tokio::test]
async fn renewing_replaces_what_expires_within_the_actors_reach() {
    use shared::model::Permission;

    use crate::services::roles::ADMIN_ROLE_ID;
    use crate::testkit::{add_holder, add_role};

    let t = TestDb::new().await;
    let ca = the_ca(&t.db).await;
    let root = add_root(&t.db).await;
    let person = add_user(&t.db, "expiring.person", UserStatus::Active).await;
    let admin = add_holder(&t.db, "expiring.admin", ADMIN_ROLE_ID).await;
    for holder in [&person, &admin] {
        issue_to(&t.db, &ca, holder, &root).await;
    }
    certificate::Entity::update_many()
        .col_expr(
            certificate::Column::NotAfter,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() + chrono::Duration::days(5)),
        )
        .exec(&t.db)
        .await
        .unwrap();
    let role = add_role(
        &t.db,
        "Certificates",
        &[Permission::UsersRead, Permission::CertificatesManage],
    )
    .await;
    let manager = actor_for(&add_holder(&t.db, "cert.manager", role).await);
    let state = t.state();

    let renewed = renew_expiring(&state, &manager).await.unwrap();
    let names: Vec<&str> = renewed.iter().map(|r| r.username.as_str()).collect();
    assert_eq!(names, ["expiring.person"], "the Admin is out of reach");
    let states = |rows: Vec<shared::model::CertificateRow>| {
        let mut s: Vec<_> = rows
            .into_iter()
            .map(|r| (r.state, r.revocation_reason))
            .collect();
        s.sort_by_key(|(state, _)| format!("{state:?}"));
        s
    };
    let mine = states(of_user(&t.db, person.id).await.unwrap());
    assert!(mine.contains(&(
        CertificateState::Revoked,
        Some(RevocationReason::Superseded)
    )));
    assert!(mine
        .iter()
        .any(|(s, r)| *s == CertificateState::Active && r.is_none()));
    let admins = of_user(&t.db, admin.id).await.unwrap();
    assert_eq!(admins.len(), 1);
    assert_ne!(admins[0].state, CertificateState::Revoked, "kept");

    let by_root = renew_expiring(&state, &actor_for(&root)).await.unwrap();
    let names: Vec<&str> = by_root.iter().map(|r| r.username.as_str()).collect();
    assert_eq!(
        names,
        ["expiring.admin"],
        "the new one does not expire soon"
    );
    t.close().await;
}
