//! The import on the chosen back-end: every preview outcome and consistency
//! rule, the side effects, an interrupted apply resumed, all-or-nothing,
//! the error report, and a re-import that changes nothing.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use shared::model::{ApplyMode, Outcome, OutcomeCounts, UserStatus};
use uuid::Uuid;

use super::{job, read, report, store};
use crate::db::entities::{certificate, group, import_failure, mail_outbox, user};
use crate::services::actor::Actor;
use crate::services::{ca, groups, jobs};
use crate::testkit::{actor_for, add_root, add_user, TestDb, TEST_CA_KEY};

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
    let counts = store::save_mapping(db, actor, id, &mapping, create_groups)
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
            error: 8
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
            error: 8
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

fn many(n: usize, from: usize) -> String {
    let mut csv = String::from("username,first_name,last_name,email,groups\n");
    for i in from..from + n {
        csv.push_str(&format!(
            "user.{i:05},Us,Er,user.{i:05}@example.com,Imported\n"
        ));
    }
    csv
}

#[tokio::test]
async fn an_interrupted_apply_resumes_at_the_next_row() {
    let t = TestDb::new().await;
    let root = add_root(&t.db).await;
    let actor = actor_for(&root);
    let csv = many(12_000, 0);
    let (id, counts) = upload(&t.db, &actor, &csv, true).await;
    assert_eq!(counts.create, 12_000);
    let job_id = job::start(
        &t.db,
        &actor,
        id,
        ApplyMode::ValidRows,
        "http://u",
        "http://u/login",
    )
    .await
    .unwrap();
    let claimed = jobs::claim_next(&t.db).await.unwrap().unwrap();
    // One batch, then the "server" stops.
    job::run(&t.db, &TEST_CA_KEY, claimed, Some(1))
        .await
        .unwrap();
    let half = crate::db::entities::job::Entity::find_by_id(job_id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((half.status.as_str(), half.cursor), ("running", 5_000));
    let users_now = user::Entity::find().count(&t.db).await.unwrap();
    assert_eq!(users_now, 1 + 5_000, "exactly the first batch");
    let view = store::view(&t.db, &actor, id, None, 0).await.unwrap();
    assert_eq!(view.stage, shared::model::ImportStage::Applying);
    assert_eq!(view.applied.unwrap().create, 5_000);
    // While polled, the page has the header and the row count from the
    // file's head and the saved counts.
    assert_eq!(view.headers.first().map(String::as_str), Some("username"));
    assert_eq!(view.rows, 12_000);

    // The lease runs out; another runner picks it up and finishes.
    use sea_orm::sea_query::Expr;
    crate::db::entities::job::Entity::update_many()
        .col_expr(
            crate::db::entities::job::Column::LockedUntil,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(5)),
        )
        .exec(&t.db)
        .await
        .unwrap();
    let again = jobs::claim_next(&t.db).await.unwrap().unwrap();
    job::run(&t.db, &TEST_CA_KEY, again, None).await.unwrap();
    let row = store::find(&t.db, id).await.unwrap();
    assert_eq!((row.created, row.failed), (12_000, 0));
    assert_eq!(user::Entity::find().count(&t.db).await.unwrap(), 12_001);
    let imported = group::Entity::find()
        .filter(group::Column::Name.eq("Imported"))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let members = crate::db::entities::group_member::Entity::find()
        .filter(crate::db::entities::group_member::Column::GroupId.eq(imported.id))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(members, 12_000);
    let view = store::view(&t.db, &actor, id, None, 0).await.unwrap();
    assert_eq!(view.stage, shared::model::ImportStage::Done);
    t.close().await;
}

#[tokio::test]
async fn only_if_no_errors_applies_nothing_and_reports_ten_thousand_errors() {
    let t = TestDb::new().await;
    let root = add_root(&t.db).await;
    let actor = actor_for(&root);
    let mut csv = many(3, 0);
    for i in 0..10_000 {
        csv.push_str(&format!("bad.{i},Ba,Ad,not-an-address-{i},\n"));
    }
    let (id, counts) = upload(&t.db, &actor, &csv, true).await;
    assert_eq!((counts.create, counts.error), (3, 10_000));
    let view = store::view(&t.db, &actor, id, Some(Outcome::Error), 2)
        .await
        .unwrap();
    assert_eq!(view.page.len(), shared::model::import::PREVIEW_PAGE);
    assert!(view.page.iter().all(|r| r.outcome == Outcome::Error));
    let done = apply(&t.db, &actor, id, ApplyMode::OnlyIfNoErrors).await;
    assert_eq!(done.status, "failed");
    assert!(done
        .error
        .unwrap()
        .starts_with("10000 rows have errors, so nothing was applied"));
    assert!(by_name(&t.db, "user.00000").await.is_none());
    let failed = import_failure::Entity::find()
        .filter(import_failure::Column::ImportId.eq(id))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(failed, 10_000);
    let row = store::find(&t.db, id).await.unwrap();
    let failures = store::failures(&t.db, &row).await.unwrap();
    let table = read::read(&row.content).unwrap();
    let report = report::error_report(&table, &failures, &[]).unwrap();
    assert_eq!(String::from_utf8(report).unwrap().lines().count(), 10_001);
    t.close().await;
}

#[tokio::test]
async fn an_export_imported_again_changes_nothing() {
    let t = TestDb::new().await;
    let root = add_root(&t.db).await;
    let actor = actor_for(&root);
    let (id, _) = upload(&t.db, &actor, &many(30, 0), true).await;
    apply(&t.db, &actor, id, ApplyMode::ValidRows).await;
    add_user(&t.db, "pending.one", UserStatus::PendingEmail).await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let selection = crate::services::export::Selection::default();
    let (_, bytes) = tokio::join!(
        crate::services::export::stream(&t.db, &selection, tx),
        async {
            let mut all = Vec::new();
            while let Some(chunk) = rx.recv().await {
                all.extend(chunk);
            }
            all
        }
    );
    let text = String::from_utf8(bytes).unwrap();
    let (_, counts) = upload(&t.db, &actor, &text, false).await;
    assert_eq!(
        counts,
        OutcomeCounts {
            create: 0,
            update: 0,
            unchanged: 32,
            error: 0
        },
        "{text}"
    );
    t.close().await;
}

/// Four active administrators; the file deactivates two in its first batch
/// and two in its second. Rows are decided against what earlier rows and
/// batches did, so the last one is kept (and each batch that changes users
/// is decided only after the one before has committed).
#[tokio::test]
async fn deactivations_keep_the_last_administrator_across_rows_and_batches() {
    use sea_orm::{ActiveModelTrait, Set};
    let t = TestDb::new().await;
    for name in ["a.admin", "b.admin", "c.admin", "d.admin"] {
        let mut m: user::ActiveModel = add_user(&t.db, name, UserStatus::Active).await.into();
        m.role_id = Set(crate::services::roles::ADMIN_ROLE_ID);
        m.update(&t.db).await.unwrap();
    }
    let row = |name: &str| format!("{name},Pat,Doe,{name}@example.com,,,inactive,\n");
    let mut csv = format!("{HEADER}\n");
    csv.push_str(&row("a.admin"));
    csv.push_str(&row("b.admin"));
    for i in 0..4_998 {
        csv.push_str(&format!(
            "new.{i},New,Person,new.{i}@example.com,,,active,internal\n"
        ));
    }
    csv.push_str(&row("c.admin"));
    csv.push_str(&row("d.admin"));
    // The command line: every permission, and nobody's own account.
    let actor = Actor {
        id: Uuid::nil(),
        username: "command line".into(),
        ip: None,
    };
    let effects = super::apply::Effects {
        public_url: "http://u".into(),
        sign_in_url: "http://u/login".into(),
        ca: None,
    };
    // The preview (decided in chunks, nothing written) and the apply agree.
    for dry_run in [true, false] {
        let done = super::direct::import_file(
            &t.db,
            &actor,
            "admins.csv",
            csv.as_bytes(),
            false,
            dry_run,
            &effects,
        )
        .await
        .unwrap();
        assert_eq!(
            (done.counts.create, done.counts.update, done.counts.error),
            (4_998, 3, 1),
            "dry run: {dry_run}"
        );
        assert_eq!(done.failures.len(), 1);
        assert_eq!(done.failures[0].0, 5_003, "d.admin's line");
        assert!(
            done.failures[0].1.contains("last active administrator"),
            "{}",
            done.failures[0].1
        );
    }
    for (name, status) in [
        ("a.admin", "inactive"),
        ("b.admin", "inactive"),
        ("c.admin", "inactive"),
        ("d.admin", "active"),
    ] {
        assert_eq!(by_name(&t.db, name).await.unwrap().status, status, "{name}");
    }
    // Written by the same transition as the user page's, and named so.
    let deactivations = crate::db::entities::audit_event::Entity::find()
        .filter(crate::db::entities::audit_event::Column::Action.eq("user.deactivate"))
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(deactivations.len(), 3);
    for e in &deactivations {
        let details = e.details.as_deref().unwrap_or("");
        assert!(details.contains(r#""import":"command line""#), "{details}");
    }
    t.close().await;
}

/// Imports keep no secrets: the file's passwords are gone once the job has
/// hashed them; a file over the row limit is refused before it is parsed;
/// uploads past the retention are deleted.
#[tokio::test]
async fn imports_keep_no_passwords_and_no_old_files() {
    use crate::services::settings;
    let t = TestDb::new().await;
    let actor = actor_for(&add_root(&t.db).await);
    let csv = "username,first_name,last_name,email,password\n\
               pw.person,Pw,Person,pw.person@example.com,a secret passphrase\n";
    let (id, counts) = upload(&t.db, &actor, csv, false).await;
    assert_eq!(counts.create, 1);
    let done = apply(&t.db, &actor, id, ApplyMode::ValidRows).await;
    assert_eq!(done.status, "done");
    let kept = store::find(&t.db, id).await.unwrap();
    let text = String::from_utf8(kept.content).unwrap();
    assert!(
        text.contains("pw.person") && !text.contains("a secret passphrase"),
        "{text}"
    );
    assert!(by_name(&t.db, "pw.person")
        .await
        .unwrap()
        .password_hash
        .is_some());

    settings::set_json(&t.db, store::MAX_ROWS, serde_json::json!(2))
        .await
        .unwrap();
    let three = format!("{HEADER}\na,A,A,a@x.org,,,,\nb,B,B,b@x.org,,,,\nc,C,C,c@x.org,,,,\n");
    let refused = store::save_upload(&t.db, &actor, "big.csv", three.into_bytes()).await;
    assert!(refused
        .unwrap_err()
        .field_message("file")
        .unwrap()
        .contains("more than 2 rows"));

    // Eight days later the upload is gone; a fresh one stays.
    use sea_orm::{ActiveModelTrait, Set};
    let mut old: crate::db::entities::import::ActiveModel =
        store::find(&t.db, id).await.unwrap().into();
    old.created_at = Set(chrono::Utc::now() - chrono::Duration::days(8));
    old.update(&t.db).await.unwrap();
    let fresh = store::save_upload(&t.db, &actor, "fresh.csv", csv.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!(store::purge_expired(&t.db).await.unwrap(), 1);
    assert_eq!(
        store::find(&t.db, id).await.err(),
        Some(shared::AppError::NotFound)
    );
    store::find(&t.db, fresh).await.unwrap();
    t.close().await;
}
