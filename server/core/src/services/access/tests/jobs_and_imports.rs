//! Mass actions, jobs and imports started by a narrow role.
use super::*;

fn request(action: BulkAction, query: &str) -> BulkRequest {
    BulkRequest::parse(&format!("action={}&{query}", action.as_str())).unwrap()
}

async fn run_job(db: &DatabaseConnection, id: Uuid) -> job::Model {
    let claimed = jobs::claim_next(db).await.unwrap().expect("a job to claim");
    assert_eq!(claimed.id, id);
    job_kinds::run(db, claimed).await.unwrap();
    job::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

#[tokio::test]
async fn mass_actions_refuse_what_the_help_desk_lacks_and_skip_admins() {
    let t = TestDb::new().await;
    let (admin, desk) = cast(&t.db, &HELP_DESK).await;
    add_user(&t.db, "accomplice", UserStatus::Active).await;
    let admin_id = ADMIN_ROLE_ID.to_string();
    let set_role = request(BulkAction::SetRole, "all=1&q=accomplice");
    refused(
        bulk::start(&t.db, &desk, &set_role, Some(&admin_id)).await,
        "You cannot give the role Admin",
    );
    let group = crate::services::groups::create(
        &t.db,
        &actor_for(&by_name(&t.db, "root.admin").await),
        "Staff",
        "",
    )
    .await
    .unwrap();
    refused(
        bulk::start(
            &t.db,
            &desk,
            &request(BulkAction::AddToGroup, "all=1"),
            Some(&group.to_string()),
        )
        .await,
        "Manage groups",
    );
    // Deactivating everyone: the preview names who is out of reach, the
    // job skips them for that reason.
    let everyone = request(BulkAction::Deactivate, "all=1");
    let preview = bulk::preview(&t.db, &desk, &everyone).await.unwrap();
    assert!(
        preview
            .refused
            .contains(&(crate::services::access::OUTRANKS_YOU.into(), 2)),
        "{:?}",
        preview.refused
    );
    assert!(preview
        .refused
        .contains(&(crate::services::access::YOURSELF.into(), 1)));
    let id = bulk::start(&t.db, &desk, &everyone, None).await.unwrap();
    let done = run_job(&t.db, id).await;
    assert_eq!(done.status, JobStatus::Done.as_str());
    let reasons = jobs::reasons_of(&done);
    assert_eq!(reasons.get(crate::services::access::OUTRANKS_YOU), Some(&2));
    assert_eq!(by_name(&t.db, "second.admin").await, admin);
    assert_eq!(by_name(&t.db, "root.admin").await.status, "active");
    assert_eq!(by_name(&t.db, "accomplice").await.status, "inactive");
    t.close().await;
}

#[tokio::test]
async fn a_job_whose_creator_is_gone_fails_closed() {
    let t = TestDb::new().await;
    let (_, desk) = cast(&t.db, &HELP_DESK).await;
    add_user(&t.db, "pat.doe", UserStatus::Active).await;
    let id = bulk::start(
        &t.db,
        &desk,
        &request(BulkAction::Deactivate, "all=1&q=pat"),
        None,
    )
    .await
    .unwrap();
    let root = actor_for(&by_name(&t.db, "root.admin").await);
    lifecycle::delete(&t.state(), &root, "help.desk")
        .await
        .unwrap();
    let done = run_job(&t.db, id).await;
    assert_eq!(done.status, JobStatus::Failed.as_str());
    assert!(done.error.unwrap_or_default().contains("no longer exists"));
    assert_eq!(by_name(&t.db, "pat.doe").await.status, "active");
    t.close().await;
}

#[tokio::test]
async fn an_import_cannot_demote_admins_or_reach_beyond_its_permissions() {
    use crate::services::import::{dry_run, prepare};
    let t = TestDb::new().await;
    let (_, desk) = cast(&t.db, &IMPORTER).await;
    let authority = || async {
        crate::services::access::Authority::load(&t.db, &desk)
            .await
            .unwrap()
    };
    let csv = "username,email,role,status,issue_certificate\n\
               root.admin,root@example.com,General user,,\n\
               second.admin,second.admin@example.com,,inactive,\n\
               new.person,new.person@example.com,,,yes\n";
    let with_names = csv
        .replace("username,email,", "username,first_name,last_name,email,")
        .replace("root.admin,", "root.admin,Root,Admin,")
        .replace("second.admin,s", "second.admin,Pat,Doe,s")
        .replace("new.person,", "new.person,New,Person,");
    let prepared = prepare(
        &t.db,
        with_names.as_bytes(),
        None,
        Default::default(),
        authority().await,
    )
    .await
    .unwrap();
    let (reports, counts) = dry_run(&t.db, &prepared).await.unwrap();
    assert_eq!(counts.error, 3, "{reports:?}");
    let said = |row: usize| {
        reports[row]
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.column, e.reason))
            .collect::<Vec<_>>()
            .join("; ")
    };
    assert!(said(0).contains("their role, Admin"), "{}", said(0));
    assert!(said(1).contains("their role, Admin"), "{}", said(1));
    assert!(said(2).contains("Manage certificates"), "{}", said(2));
    refused(
        prepare(
            &t.db,
            with_names.as_bytes(),
            None,
            crate::services::import::ImportOptions {
                create_groups: true,
                ..Default::default()
            },
            authority().await,
        )
        .await
        .map(|_| ()),
        "Manage groups",
    );
    // An Admin cannot demote the last active Admin by file either.
    let root = actor_for(&by_name(&t.db, "root.admin").await);
    let root_authority = crate::services::access::Authority::load(&t.db, &root)
        .await
        .unwrap();
    lifecycle::delete(&t.state(), &root, "second.admin")
        .await
        .unwrap();
    let demote = "username,email,role\nroot.admin,root@example.com,General user\n";
    let prepared = prepare(
        &t.db,
        demote.as_bytes(),
        None,
        Default::default(),
        root_authority,
    )
    .await
    .unwrap();
    let (reports, _) = dry_run(&t.db, &prepared).await.unwrap();
    assert!(
        reports[0]
            .errors
            .iter()
            .any(|e| e.reason.contains("own role")),
        "{reports:?}"
    );
    t.close().await;
}

#[tokio::test]
async fn a_reviewer_and_a_certificate_manager_stay_within_their_reach() {
    let t = TestDb::new().await;
    let (admin, desk) = cast(
        &t.db,
        &[Permission::UsersRead, Permission::CertificatesManage],
    )
    .await;
    let ca = crate::services::ca::ensure(&t.db, &crate::testkit::TEST_CA_KEY, "Test Org")
        .await
        .unwrap();
    let issued = crate::services::certificates::issue(
        &t.db,
        &ca,
        crate::services::certificates::Issue {
            user: &admin,
            days: 30,
            profile: crate::pki::Pkcs12Profile::Modern,
            actor: None,
            public_url: "https://usher.test",
            sign_in_url: "https://usher.test/login",
        },
    )
    .await
    .unwrap();
    let cert = crate::db::entities::certificate::Entity::find()
        .filter(crate::db::entities::certificate::Column::SerialHex.eq(issued.serial_hex.clone()))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    refused(
        crate::services::certificates::revoke(&t.db, &desk, &cert, RevocationReason::KeyCompromise)
            .await,
        "their role, Admin",
    );
    let again = crate::db::entities::certificate::Entity::find_by_id(cert.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert!(again.revoked_at.is_none());
    let _ = USER_ROLE_ID;
    t.close().await;
}

#[tokio::test]
async fn changing_an_email_ends_the_links_mailed_to_the_old_one() {
    use crate::services::links;
    let t = TestDb::new().await;
    let root = actor_for(&add_root(&t.db).await);
    let pat = add_user(&t.db, "pat.doe", UserStatus::Active).await;
    let (token, _) = links::issue(
        &t.db,
        crate::services::recovery::PURPOSE,
        pat.id,
        chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    let usable = |t: &DatabaseConnection, token: String| {
        let t = t.clone();
        async move {
            let (row, _) = links::find(&t, crate::services::recovery::PURPOSE, &token)
                .await
                .unwrap()
                .unwrap();
            links::usable(&row)
        }
    };
    assert!(usable(&t.db, token.clone()).await);
    // The same address: the link stays.
    lifecycle::update(
        &t.db,
        &root,
        "pat.doe",
        changes(USER_ROLE_ID, "pat.doe@example.com"),
    )
    .await
    .unwrap();
    assert!(usable(&t.db, token.clone()).await);
    lifecycle::update(
        &t.db,
        &root,
        "pat.doe",
        changes(USER_ROLE_ID, "pat@new.example"),
    )
    .await
    .unwrap();
    assert!(!usable(&t.db, token).await);
    t.close().await;
}

#[tokio::test]
async fn an_import_is_seen_only_by_its_creator_and_admins_and_shows_no_password() {
    use crate::services::import::{read, report, store};
    let t = TestDb::new().await;
    let (_, desk) = cast(&t.db, &IMPORTER).await;
    let root = actor_for(&by_name(&t.db, "root.admin").await);
    let csv = "username,first_name,last_name,email,password\n\
               new.one,New,One,new.one@example.com,a secret passphrase\n\
               bad name,Bad,Row,bad@example.com,another secret phrase\n";
    let id = store::save_upload(&t.db, &desk, "people.csv", csv.as_bytes().to_vec())
        .await
        .unwrap();
    let view = store::view(&t.db, &desk, id, None, 0).await.unwrap();
    assert!(
        !format!("{view:?}").contains("a secret passphrase"),
        "the sample shows no password"
    );
    // An Admin may look; another importer may not even learn it exists.
    store::view(&t.db, &root, id, None, 0).await.unwrap();
    let other_role = add_role(
        &t.db,
        "Importers",
        &[Permission::UsersRead, Permission::UsersImport],
    )
    .await;
    let other = actor_for(&add_holder(&t.db, "other.importer", other_role).await);
    assert_eq!(
        store::view(&t.db, &other, id, None, 0).await.err(),
        Some(AppError::NotFound)
    );
    assert_eq!(
        store::find_visible(&t.db, &other, id).await.err(),
        Some(AppError::NotFound)
    );
    // The error report leaves the password column empty.
    let table = read::read(csv.as_bytes()).unwrap();
    let row = store::find(&t.db, id).await.unwrap();
    let secret = report::password_columns(&store::mapping_of(&row));
    let csv_out =
        report::error_report(&table, &[(3, "username: not valid".into())], &secret).unwrap();
    let text = String::from_utf8(csv_out).unwrap();
    assert!(
        text.contains("bad name") && !text.contains("another secret phrase"),
        "{text}"
    );
    t.close().await;
}

#[tokio::test]
async fn a_help_desk_cannot_resend_an_invited_admins_link() {
    let t = TestDb::new().await;
    let (_, desk) = cast(&t.db, &HELP_DESK).await;
    let mut m: user::ActiveModel = add_user(&t.db, "invited.admin", UserStatus::Invited)
        .await
        .into();
    m.role_id = Set(ADMIN_ROLE_ID);
    m.update(&t.db).await.unwrap();
    refused(
        crate::services::invitations::send_to(&t.db, &desk, "invited.admin", "http://usher.test")
            .await,
        "their role, Admin",
    );
    assert_eq!(mails(&t.db).await, 0);
    // An invited General user is within reach.
    add_user(&t.db, "invited.person", UserStatus::Invited).await;
    crate::services::invitations::send_to(&t.db, &desk, "invited.person", "http://usher.test")
        .await
        .unwrap();
    assert_eq!(mails(&t.db).await, 1);
    t.close().await;
}
