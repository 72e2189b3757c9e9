//! Service tests of mass actions on the chosen back-end: selection, skips
//! and their reasons, the admin guardrail, batches, leases and resuming.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};
use shared::model::{BulkAction, BulkRequest, BulkSelection, JobStatus, UserStatus};

use crate::db::entities::{audit_event, group_member, job, session, user};
use crate::services::actor::Actor;
use crate::services::bulk::{self, BATCH};
use crate::services::roles::{ADMIN_ROLE_ID, USER_ROLE_ID};
use crate::services::{job_kinds, jobs};
use crate::testkit::{actor_for, add_root, add_user as add, TestDb};

async fn root(db: &DatabaseConnection) -> user::Model {
    add_root(db).await
}

fn request(action: BulkAction, query: &str) -> BulkRequest {
    BulkRequest::parse(&format!("action={}&{query}", action.as_str())).unwrap()
}

/// Starts the job and runs it to the end, as the worker does.
async fn run(
    db: &DatabaseConnection,
    actor: &Actor,
    req: &BulkRequest,
    target: Option<&str>,
) -> job::Model {
    let id = bulk::start(db, actor, req, target).await.unwrap();
    let claimed = jobs::claim_next(db).await.unwrap().expect("a job to claim");
    assert_eq!(claimed.id, id);
    job_kinds::run(db, claimed).await.unwrap();
    job::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

fn reasons(job: &job::Model) -> Vec<(String, u64)> {
    jobs::reasons_of(job).into_iter().collect()
}

async fn status_of(db: &DatabaseConnection, name: &str) -> String {
    crate::services::users::find(db, name).await.unwrap().status
}

#[tokio::test]
async fn deactivate_all_matching_skips_you_and_signs_the_others_out() {
    let t = TestDb::new().await;
    let me = actor_for(&root(&t.db).await);
    for name in ["ann.lee", "bob.lee", "cat.lee"] {
        add(&t.db, name, UserStatus::Active).await;
    }
    add(&t.db, "dan.lee", UserStatus::Inactive).await;
    add(&t.db, "eve.other", UserStatus::Active).await;
    let bob = crate::services::users::find(&t.db, "bob.lee")
        .await
        .unwrap();
    crate::services::sessions::open(&t.db, bob.id, Default::default(), None, None)
        .await
        .unwrap();
    let ca = crate::services::ca::ensure(&t.db, &crate::testkit::TEST_CA_KEY, "Test Org")
        .await
        .unwrap();
    let bob_certificate = crate::services::certificates::Issue {
        user: &bob,
        days: 30,
        profile: crate::pki::Pkcs12Profile::Modern,
        actor: None,
        public_url: "https://usher.test",
        sign_in_url: "https://usher.test/login",
    };
    crate::services::certificates::issue(&t.db, &ca, bob_certificate)
        .await
        .unwrap();

    // The preview counts exactly what the filter matches.
    let req = request(BulkAction::Deactivate, "all=1&q=lee");
    let preview = bulk::preview(&t.db, &me, &req).await.unwrap();
    assert_eq!(preview.count, 4);
    assert_eq!(preview.sample.len(), 4);

    let done = run(&t.db, &me, &request(BulkAction::Deactivate, "all=1"), None).await;
    assert_eq!(done.status, JobStatus::Done.as_str());
    assert_eq!((done.total, done.processed), (6, 6));
    assert_eq!((done.changed, done.skipped), (4, 2));
    assert_eq!(
        reasons(&done),
        vec![
            ("already inactive".to_string(), 1),
            ("your own account".to_string(), 1)
        ]
    );
    assert_eq!(status_of(&t.db, "root.admin").await, "active");
    assert_eq!(status_of(&t.db, "eve.other").await, "inactive");
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(bob.id))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "deactivated users are signed out");
    let held = crate::services::certificates::of_user(&t.db, bob.id)
        .await
        .unwrap();
    assert_eq!(
        held[0].revocation_reason,
        Some(shared::model::RevocationReason::CessationOfOperation),
        "and their certificates revoked"
    );
    // One audit event per changed user, naming the job, plus the job's own.
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("user.deactivate"))
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 4);
    assert!(events
        .iter()
        .all(|e| e.details.as_deref().unwrap().contains(&done.id.to_string())));
    let started = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("users.bulk"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(started, 1);
    let view = bulk::view(&done);
    assert_eq!(view.title, "Deactivate 6 users");
    assert_eq!(view.percent(), 100);
    t.close().await;
}

#[tokio::test]
async fn ticked_rows_only_and_activate_skips_those_not_inactive() {
    let t = TestDb::new().await;
    let me = actor_for(&root(&t.db).await);
    let a = add(&t.db, "ann.lee", UserStatus::Inactive).await;
    let b = add(&t.db, "bob.lee", UserStatus::Invited).await;
    add(&t.db, "cat.lee", UserStatus::Inactive).await;
    let req = request(BulkAction::Activate, &format!("id={}&id={}", a.seq, b.seq));
    assert_eq!(req.selection, BulkSelection::Rows(vec![a.seq, b.seq]));
    let done = run(&t.db, &me, &req, None).await;
    assert_eq!((done.changed, done.skipped), (1, 1));
    assert_eq!(reasons(&done), vec![("not inactive".to_string(), 1)]);
    assert_eq!(status_of(&t.db, "ann.lee").await, "active");
    assert_eq!(status_of(&t.db, "bob.lee").await, "invited");
    assert_eq!(status_of(&t.db, "cat.lee").await, "inactive", "not ticked");
    t.close().await;
}

#[tokio::test]
async fn the_last_active_admin_stays() {
    let t = TestDb::new().await;
    let admin = root(&t.db).await;
    // A custom role that may change users but is not an admin.
    let writer_role = crate::services::roles::create(
        &t.db,
        &actor_for(&admin),
        "Helpdesk",
        "",
        &[
            shared::model::Permission::UsersRead,
            shared::model::Permission::UsersWrite,
            shared::model::Permission::UsersDelete,
        ],
    )
    .await
    .unwrap();
    let helper = add(&t.db, "help.desk", UserStatus::Active).await;
    let mut m: user::ActiveModel = helper.clone().into();
    m.role_id = Set(writer_role);
    m.update(&t.db).await.unwrap();
    let second = add(&t.db, "second.admin", UserStatus::Active).await;
    let mut m: user::ActiveModel = second.into();
    m.role_id = Set(ADMIN_ROLE_ID);
    m.update(&t.db).await.unwrap();

    // Two active admins: one of them may go, the other stays. (Acting as
    // the command line, which holds everything and is nobody's account:
    // an Admin acting would be refused their own account first, and the
    // help desk may not touch Admins at all.)
    let me = Actor {
        id: uuid::Uuid::nil(),
        username: "usher (command line)".into(),
        ip: None,
    };
    let done = run(&t.db, &me, &request(BulkAction::Deactivate, "all=1"), None).await;
    assert_eq!((done.changed, done.skipped), (2, 1));
    assert_eq!(
        reasons(&done),
        vec![("the last active administrator".to_string(), 1)]
    );
    let admins_left = user::Entity::find()
        .filter(user::Column::RoleId.eq(ADMIN_ROLE_ID))
        .filter(user::Column::Status.eq("active"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(admins_left, 1);
    // Nor can the last one be demoted or deleted.
    let general = USER_ROLE_ID.to_string();
    let demoted = run(
        &t.db,
        &me,
        &request(BulkAction::SetRole, "all=1"),
        Some(&general),
    )
    .await;
    assert_eq!(reasons(&demoted)[0].0, "the last active administrator");
    let deleted = run(&t.db, &me, &request(BulkAction::Delete, "all=1"), None).await;
    assert_eq!(deleted.changed, 2, "the inactive admin and the help desk");
    assert_eq!(user::Entity::find().count(&t.db).await.unwrap(), 1);
    t.close().await;
}

#[tokio::test]
async fn groups_and_roles_with_their_skips() {
    let t = TestDb::new().await;
    let me = actor_for(&root(&t.db).await);
    let group = crate::services::groups::create(&t.db, &me, "Staff", "")
        .await
        .unwrap();
    let ann = add(&t.db, "ann.lee", UserStatus::Active).await;
    add(&t.db, "bob.lee", UserStatus::Active).await;
    crate::services::groups::set_member(&t.db, &me, group, "ann.lee", true)
        .await
        .unwrap();
    let g = group.to_string();
    let added = run(
        &t.db,
        &me,
        &request(BulkAction::AddToGroup, "all=1&q=lee"),
        Some(&g),
    )
    .await;
    assert_eq!((added.changed, added.skipped), (1, 1));
    assert_eq!(
        reasons(&added),
        vec![("already in the group".to_string(), 1)]
    );
    let members = group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(group))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(members, 2);
    let removed = run(
        &t.db,
        &me,
        &request(BulkAction::RemoveFromGroup, &format!("id={}", ann.seq)),
        Some(&g),
    )
    .await;
    assert_eq!(removed.changed, 1);
    // A role or group is required, and must exist.
    let missing = bulk::start(&t.db, &me, &request(BulkAction::SetRole, "all=1"), None).await;
    assert_eq!(
        missing.unwrap_err().field_message("target").as_deref(),
        Some("Choose a role.")
    );
    let admin = ADMIN_ROLE_ID.to_string();
    let promoted = run(
        &t.db,
        &me,
        &request(BulkAction::SetRole, "all=1&q=lee"),
        Some(&admin),
    )
    .await;
    assert_eq!(promoted.changed, 2);
    let view = bulk::view(&promoted);
    assert_eq!(view.title, "Set the role of 2 users to Admin");
    t.close().await;
}

#[tokio::test]
async fn batches_resume_from_the_cursor_and_a_stale_runner_changes_nothing() {
    let t = TestDb::new().await;
    let me = actor_for(&root(&t.db).await);
    let n = BATCH + BATCH / 2;
    crate::services::seed::seed(&t.db, n).await.unwrap();
    let req = request(BulkAction::Deactivate, "all=1");
    let id = bulk::start(&t.db, &me, &req, None).await.unwrap();
    // Users who arrive after the confirmation are left alone.
    let late = add(&t.db, "late.comer", UserStatus::Active).await;
    let claimed = jobs::claim_next(&t.db).await.unwrap().unwrap();
    assert!(jobs::claim_next(&t.db).await.unwrap().is_none(), "leased");
    let params = bulk::params_of(&claimed).unwrap();
    let after_one = bulk::run_batch(&t.db, &claimed, &params)
        .await
        .unwrap()
        .unwrap();
    // One batch (on PostgreSQL the first pass's share of it, see `passes`).
    assert!((1..=BATCH).contains(&(after_one.processed as u64)));

    // A runner holding the old state of the job loses: nothing it did stays.
    let stale = bulk::run_batch(&t.db, &claimed, &params).await;
    assert!(matches!(stale, Err(bulk::Stop::LostLease)));
    let inactive = user::Entity::find()
        .filter(user::Column::Status.eq("inactive"))
        .count(&t.db)
        .await
        .unwrap();

    // The instance dies; after its lease another one resumes from the cursor.
    let mut expired: job::ActiveModel = after_one.clone().into();
    expired.locked_until = Set(Some(chrono::Utc::now() - chrono::Duration::seconds(1)));
    expired.update(&t.db).await.unwrap();
    let resumed = jobs::claim_next(&t.db).await.unwrap().unwrap();
    assert_eq!(resumed.cursor, after_one.cursor);
    assert_ne!(
        resumed.lease_token, after_one.lease_token,
        "a new claim, a new token"
    );
    // The runner that lost the lease can neither advance nor finish the job,
    // though the cursor it holds is still current.
    let lost = bulk::run_batch(&t.db, &after_one, &params).await;
    assert!(matches!(lost, Err(bulk::Stop::LostLease)));
    jobs::finish(&t.db, &after_one, Err("stale".into()))
        .await
        .unwrap();
    let still = job::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((still.status.as_str(), still.error), ("running", None));
    job_kinds::run(&t.db, resumed).await.unwrap();
    let done = job::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, "done");
    assert_eq!(
        done.processed as u64,
        n + 1,
        "every seeded user and the admin"
    );
    assert_eq!(done.changed as u64 + done.skipped as u64, n + 1);
    let now_inactive = user::Entity::find()
        .filter(user::Column::Status.eq("inactive"))
        .count(&t.db)
        .await
        .unwrap();
    assert!(now_inactive > inactive);
    assert_eq!(status_of(&t.db, &late.username).await, "active");
    t.close().await;
}

#[tokio::test]
async fn send_invitation_mails_the_invited_and_skips_who_joined() {
    use crate::db::entities::mail_outbox;
    let t = TestDb::new().await;
    let me = actor_for(&root(&t.db).await);
    let a = add(&t.db, "inv.one", UserStatus::Invited).await;
    let b = add(&t.db, "inv.two", UserStatus::Invited).await;
    let c = add(&t.db, "joined.one", UserStatus::Active).await;
    let req = request(
        BulkAction::SendInvitation,
        &format!("id={}&id={}&id={}", a.seq, b.seq, c.seq),
    );
    let id = bulk::start_with_links(&t.db, &me, &req, None, Some("https://usher.test"))
        .await
        .unwrap();
    let claimed = jobs::claim_next(&t.db).await.unwrap().unwrap();
    job_kinds::run(&t.db, claimed).await.unwrap();
    let done = job::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, JobStatus::Done.as_str());
    assert_eq!((done.changed, done.skipped), (2, 1));
    assert_eq!(reasons(&done), [("already joined".to_string(), 1)]);
    let mails = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Template.eq("invitation"))
        .all(&t.db)
        .await
        .unwrap();
    let mut to: Vec<&str> = mails.iter().map(|m| m.to_address.as_str()).collect();
    to.sort();
    assert_eq!(to, ["inv.one@example.com", "inv.two@example.com"]);
    assert!(mails[0]
        .body_text
        .contains("https://usher.test/invite?token="));
    t.close().await;
}
