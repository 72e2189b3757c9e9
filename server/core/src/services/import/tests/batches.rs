//! Applying in batches: resuming, all-or-nothing, re-imports, the last
//! administrator, and what is kept afterwards.
use super::*;

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
            error: 0,
            warnings: 0,
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
    let effects = crate::services::import::apply::Effects {
        public_url: "http://u".into(),
        sign_in_url: "http://u/login".into(),
        ca: None,
    };
    // The preview (decided in chunks, nothing written) and the apply agree.
    for dry_run in [true, false] {
        let done = crate::services::import::direct::import_file(
            &t.db,
            &actor,
            "admins.csv",
            csv.as_bytes(),
            Default::default(),
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
