//! The import on the chosen back-end: every preview outcome and consistency
//! rule, the side effects, an interrupted apply resumed, all-or-nothing,
//! the error report, and a re-import that changes nothing.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use shared::model::{ApplyMode, Outcome, OutcomeCounts, UserStatus};
use uuid::Uuid;

use crate::db::entities::{certificate, group, import_failure, mail_outbox, user};
use crate::services::actor::Actor;
use crate::services::import::{job, read, report, store};
use crate::services::{ca, groups, jobs};
use crate::testkit::{actor_for, add_root, add_user, TestDb, TEST_CA_KEY};

mod batches;
mod properties;

const HEADER: &str = "username,first_name,last_name,email,role,groups,status,origin";

async fn upload(
    db: &DatabaseConnection,
    actor: &Actor,
    csv: &str,
    create_groups: bool,
) -> (Uuid, OutcomeCounts) {
    let id = store::save_upload(db, actor, "people.csv", csv.as_bytes().to_vec())
        .await
        .unwrap();
    let row = store::find(db, id).await.unwrap();
    let mapping: Vec<String> = serde_json::from_str(&row.mapping).unwrap();
    let options = crate::services::import::ImportOptions {
        create_groups,
        ..Default::default()
    };
    let counts = store::save_mapping(db, actor, id, &mapping, options)
        .await
        .unwrap();
    (id, counts)
}

async fn apply(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    mode: ApplyMode,
) -> crate::db::entities::job::Model {
    let job_id = job::start(
        db,
        actor,
        id,
        mode,
        "http://usher.test",
        "https://usher.test/login",
    )
    .await
    .unwrap();
    let claimed = jobs::claim_next(db).await.unwrap().unwrap();
    assert_eq!(claimed.id, job_id);
    job::run(db, &TEST_CA_KEY, claimed, None).await.unwrap();
    crate::db::entities::job::Entity::find_by_id(job_id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

fn outcome_of(reports: &[shared::model::RowReport], username: &str) -> Vec<Outcome> {
    reports
        .iter()
        .filter(|r| r.username == username)
        .map(|r| r.outcome)
        .collect()
}

async fn by_name(db: &DatabaseConnection, username: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::UsernameLc.eq(username.to_lowercase()))
        .one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn preview_outcomes_and_consistency_rules() {
    let t = TestDb::new().await;
    let root = add_root(&t.db).await;
    let actor = actor_for(&root);
    add_user(&t.db, "pat.one", UserStatus::Active).await;
    add_user(&t.db, "pat.two", UserStatus::Active).await;
    add_user(&t.db, "pat.three", UserStatus::Active).await;
    groups::create(&t.db, &actor, "Engineering", "")
        .await
        .unwrap();
    let csv = format!(
        "{HEADER}\n\
         new.person,New,Person,new.person@example.com,General user,Engineering,active,internal\n\
         pat.one,Patricia,Doe,pat.one@example.com,,,,\n\
         pat.two,Pat,Doe,PAT.TWO@example.com,General user,,active,internal\n\
         pat.three,Pat,Doe,someone.else@example.com,,,,\n\
         thief,Tom,Thief,pat.three@example.com,,,,\n\
         twice,Tw,Ice,twice1@example.com,,,,\n\
         TWICE,Tw,Ice,twice2@example.com,,,,\n\
         roleless,Ro,Le,roleless@example.com,Astronaut,,,\n\
         groupless,Gr,Oup,groupless@example.com,,Moon Base,,\n\
         formula,=HYPERLINK(\"http://evil\"),Doe,formula@example.com,,,,\n\
         short,Sh,Ort\n\
         bad status,Ba,Ad,not-an-email,,,dormant,alien\n"
    );
    let (id, counts) = upload(&t.db, &actor, &csv, false).await;
    let reports = store::preview_rows(&store::find(&t.db, id).await.unwrap());
    assert_eq!(
        counts,
        OutcomeCounts {
            create: 2,
            update: 1,
            unchanged: 1,
            error: 8,
            // Both new users are active with no way to sign in.
            warnings: 2,
        },
        "{reports:#?}"
    );
    assert_eq!(outcome_of(&reports, "new.person"), [Outcome::Create]);
    let update = &reports[1];
    assert_eq!(update.outcome, Outcome::Update);
    assert_eq!(update.changes.len(), 1);
    assert_eq!(
        (
            update.changes[0].before.as_str(),
            update.changes[0].after.as_str()
        ),
        ("Pat", "Patricia")
    );
    assert_eq!(outcome_of(&reports, "pat.two"), [Outcome::Unchanged]);
    let error = |name: &str| {
        reports
            .iter()
            .find(|r| r.username == name)
            .unwrap()
            .error_text()
    };
    assert!(
        error("pat.three").contains("has the email pat.three@example.com"),
        "{}",
        error("pat.three")
    );
    assert!(
        error("thief").contains("belongs to another account (pat.three)"),
        "{}",
        error("thief")
    );
    assert!(
        error("twice").contains("appears 2 times in the file (rows 7, 8)"),
        "{}",
        error("twice")
    );
    assert!(error("TWICE").contains("appears 2 times"));
    assert!(error("roleless").starts_with("role: there is no role named \"Astronaut\""));
    assert!(error("groupless").contains("no group named \"Moon Base\""));
    assert_eq!(outcome_of(&reports, "formula"), [Outcome::Create]);
    assert!(error("short").contains("has 3 fields; the header has 8"));
    let bad = error("bad status");
    for column in ["username:", "email:", "status:", "origin:"] {
        assert!(bad.contains(column), "{bad}");
    }
    assert_eq!(reports[0].row, 2, "rows are numbered as in the file");

    // With "Create missing groups" the group row becomes a create.
    let (_, counts) = upload(&t.db, &actor, &csv, true).await;
    assert_eq!(counts.create, 3);

    // Applying the valid rows: the preview's decisions, and the report.
    let (id, _) = upload(&t.db, &actor, &csv, false).await;
    let done = apply(&t.db, &actor, id, ApplyMode::ValidRows).await;
    assert_eq!(done.status, "done", "{:?}", done.error);
    let row = store::find(&t.db, id).await.unwrap();
    assert_eq!(
        (row.created, row.updated, row.unchanged, row.failed),
        (2, 1, 1, 8)
    );
    assert_eq!(
        by_name(&t.db, "pat.one").await.unwrap().first_name,
        "Patricia"
    );
    let created = by_name(&t.db, "new.person").await.unwrap();
    assert_eq!(created.status, "active");
    let evil = by_name(&t.db, "formula").await.unwrap();
    assert_eq!(
        evil.first_name, "=HYPERLINK(\"http://evil\")",
        "kept as plain text"
    );
    let failures = store::failures(&t.db, &row).await.unwrap();
    assert_eq!(failures.len(), 8);
    let table = read::read(csv.as_bytes()).unwrap();
    let report = report::error_report(&table, &failures, &[]).unwrap();
    let text = String::from_utf8(report).unwrap();
    assert!(text.starts_with(&format!("{HEADER},error\n")));
    assert_eq!(text.lines().count(), 9);
    assert!(text.contains("pat.three,Pat,Doe,someone.else@example.com,,,,,email: the account"));

    // The same file again: what was applied is now unchanged.
    let (_, again) = upload(&t.db, &actor, &csv, false).await;
    assert_eq!(
        again,
        OutcomeCounts {
            create: 0,
            update: 0,
            unchanged: 4,
            error: 8,
            warnings: 0,
        }
    );
    t.close().await;
}

#[tokio::test]
async fn side_effects_passwords_invitations_certificates() {
    let t = TestDb::new().await;
    let root = add_root(&t.db).await;
    let actor = actor_for(&root);
    ca::ensure(&t.db, &TEST_CA_KEY, "Test Org").await.unwrap();
    let csv = "username,first_name,last_name,email,password,must_change_password,send_invitation,issue_certificate\n\
               with.pass,Wi,Pass,with.pass@example.com,correct horse battery staple,yes,,\n\
               invited,In,Vited,invited@example.com,,,yes,\n\
               certified,Cer,Tified,certified@example.com,,,,yes\n\
               both,Bo,Th,both@example.com,another long passphrase,,yes,\n\
               weak,We,Ak,weak@example.com,password,,,\n";
    let (id, counts) = upload(&t.db, &actor, csv, false).await;
    assert_eq!((counts.create, counts.error), (3, 2));
    let done = apply(&t.db, &actor, id, ApplyMode::ValidRows).await;
    assert_eq!(done.status, "done", "{:?}", done.error);

    let pass = by_name(&t.db, "with.pass").await.unwrap();
    assert_eq!(pass.status, "active");
    assert!(pass.must_change_password);
    let hash = pass.password_hash.clone().unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(
        crate::services::passwords::verify("correct horse battery staple".into(), Some(hash)).await
    );

    assert_eq!(by_name(&t.db, "invited").await.unwrap().status, "invited");
    let mails = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq("invited@example.com"))
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].template, "invitation");

    let certified = by_name(&t.db, "certified").await.unwrap();
    assert_eq!(certified.status, "certificate_sent");
    let certs = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(certified.id))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(certs, 1);
    let passwords = store::take_passwords(&t.db, id, &TEST_CA_KEY)
        .await
        .unwrap();
    assert_eq!(passwords.len(), 1);
    assert_eq!(passwords[0].0, "certified");
    assert!(
        store::take_passwords(&t.db, id, &TEST_CA_KEY)
            .await
            .is_err(),
        "only once"
    );
    assert!(by_name(&t.db, "both").await.is_none());
    assert!(by_name(&t.db, "weak").await.is_none());
    t.close().await;
}

#[tokio::test]
async fn a_new_active_user_with_no_way_in_is_a_warning_or_invited() {
    let t = TestDb::new().await;
    let actor = actor_for(&add_root(&t.db).await);
    let csv = "username,first_name,last_name,email,status,password,send_invitation\n\
               locked.out,Lock,Out,locked.out@example.com,active,,\n\
               has.password,Has,Password,has.password@example.com,active,a long enough passphrase,\n\
               invited,In,Vited,invited@example.com,,,yes\n";
    let (id, counts) = upload(&t.db, &actor, csv, false).await;
    let reports = store::preview_rows(&store::find(&t.db, id).await.unwrap());
    assert_eq!((counts.create, counts.warnings), (3, 1), "{reports:#?}");
    let warned: Vec<&str> = reports
        .iter()
        .filter(|r| !r.warnings.is_empty())
        .map(|r| r.username.as_str())
        .collect();
    assert_eq!(warned, ["locked.out"]);
    assert!(reports[0].warnings[0].reason.starts_with("cannot sign in"));

    // "Invite them instead": the same file, planned with the switch on.
    let row = store::find(&t.db, id).await.unwrap();
    let mapping: Vec<String> = serde_json::from_str(&row.mapping).unwrap();
    let options = crate::services::import::ImportOptions {
        invite_unreachable: true,
        ..Default::default()
    };
    let counts = store::save_mapping(&t.db, &actor, id, &mapping, options)
        .await
        .unwrap();
    assert_eq!((counts.create, counts.warnings), (3, 0));
    let job = apply(&t.db, &actor, id, ApplyMode::ValidRows).await;
    assert_eq!(job.status, "done");
    assert_eq!(
        by_name(&t.db, "locked.out").await.unwrap().status,
        UserStatus::Invited.as_str()
    );
    assert_eq!(
        by_name(&t.db, "has.password").await.unwrap().status,
        UserStatus::Active.as_str()
    );
    t.close().await;
}
