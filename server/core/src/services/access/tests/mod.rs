//! The escalation suite: a help desk with a narrow custom role tries, path
//! by path, to gain, grant or use what it lacks. Each attempt must be refused
//! with a message naming the rule, and nothing may change.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};
use shared::model::{
    BulkAction, BulkRequest, JobStatus, PasswordNotice, Permission, RevocationReason, UserStatus,
};
use shared::AppError;
use uuid::Uuid;

use crate::db::entities::{audit_event, job, mail_outbox, user};
use crate::services::actor::Actor;
use crate::services::roles::{ADMIN_ROLE_ID, USER_ROLE_ID};
use crate::services::{access, bulk, job_kinds, jobs, lifecycle, roles, users};
use crate::testkit::{actor_for, add_holder, add_role, add_root, add_user, TestDb};

mod jobs_and_imports;
mod races;

const HELP_DESK: [Permission; 2] = [Permission::UsersRead, Permission::UsersWrite];
const IMPORTER: [Permission; 3] = [
    Permission::UsersRead,
    Permission::UsersWrite,
    Permission::UsersImport,
];

/// Root, a second Admin, and a help desk holding `permissions`.
async fn cast(db: &DatabaseConnection, permissions: &[Permission]) -> (user::Model, Actor) {
    add_root(db).await;
    let admin = add_holder(db, "second.admin", ADMIN_ROLE_ID).await;
    let role = add_role(db, "Help desk", permissions).await;
    let desk = add_holder(db, "help.desk", role).await;
    (admin, actor_for(&desk))
}

fn refused(result: Result<impl std::fmt::Debug, AppError>, words: &str) {
    match result {
        Err(AppError::Refused(message)) => {
            assert!(message.contains(words), "{message:?} should say {words:?}")
        }
        other => panic!("expected a refusal saying {words:?}, got {other:?}"),
    }
}

async fn by_name(db: &DatabaseConnection, name: &str) -> user::Model {
    users::find(db, name).await.unwrap()
}

async fn events(db: &DatabaseConnection, action: &str) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .count(db)
        .await
        .unwrap()
}

async fn mails(db: &DatabaseConnection) -> u64 {
    mail_outbox::Entity::find().count(db).await.unwrap()
}

fn changes(role: Uuid, email: &str) -> lifecycle::UserEdit {
    lifecycle::UserEdit {
        first_name: "Pat".into(),
        last_name: "Doe".into(),
        email: email.into(),
        phone: String::new(),
        role_id: role,
        external: false,
    }
}

#[tokio::test]
async fn a_help_desk_cannot_make_itself_admin() {
    let t = TestDb::new().await;
    let (_, desk) = cast(&t.db, &HELP_DESK).await;
    let own = lifecycle::update(
        &t.db,
        &desk,
        "help.desk",
        changes(ADMIN_ROLE_ID, "help.desk@example.com"),
    )
    .await;
    assert!(matches!(own, Err(AppError::Conflict(m)) if m.contains("own role")));
    let accomplice = add_user(&t.db, "accomplice", UserStatus::Active).await;
    let other = lifecycle::update(
        &t.db,
        &desk,
        "accomplice",
        changes(ADMIN_ROLE_ID, "accomplice@example.com"),
    )
    .await;
    refused(other, "You cannot give the role Admin");
    assert_eq!(
        by_name(&t.db, "accomplice").await.role_id,
        accomplice.role_id
    );
    assert_ne!(by_name(&t.db, "help.desk").await.role_id, ADMIN_ROLE_ID);
    assert_eq!(events(&t.db, "user.update").await, 0);
    t.close().await;
}

#[tokio::test]
async fn a_help_desk_cannot_create_or_invite_an_admin() {
    let t = TestDb::new().await;
    let (_, desk) = cast(&t.db, &HELP_DESK).await;
    let input = shared::validation::NewUserInput {
        username: "new.admin".into(),
        first_name: "New".into(),
        last_name: "Admin".into(),
        email: "new.admin@example.com".into(),
        phone: String::new(),
        password: "a long enough passphrase".into(),
        invite: false,
    };
    let create = crate::services::add_user::create(
        &t.db,
        &desk,
        crate::services::add_user::CreateUser {
            input,
            role_id: ADMIN_ROLE_ID,
            group_ids: vec![],
            external: false,
            active: true,
        },
        "http://usher.test",
    )
    .await;
    refused(create, "You cannot give the role Admin");
    let invite = crate::services::bulk_invite::invite(
        &t.db,
        &desk,
        crate::services::bulk_invite::Invite {
            text: "mine@example.org",
            role_id: ADMIN_ROLE_ID,
            group_ids: vec![],
        },
        "http://usher.test",
    )
    .await;
    refused(invite, "You cannot give the role Admin");
    let admins = user::Entity::find()
        .filter(user::Column::RoleId.eq(ADMIN_ROLE_ID))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(admins, 2, "root and second.admin only");
    assert_eq!(mails(&t.db).await, 0);
    t.close().await;
}

#[tokio::test]
async fn a_help_desk_cannot_touch_an_admins_account() {
    let t = TestDb::new().await;
    let (admin, desk) = cast(
        &t.db,
        &[
            Permission::UsersRead,
            Permission::UsersWrite,
            Permission::UsersDelete,
            Permission::GroupsManage,
        ],
    )
    .await;
    let url = "http://usher.test";
    // Email, then recovery mail: the take-over.
    refused(
        lifecycle::update(
            &t.db,
            &desk,
            "second.admin",
            changes(ADMIN_ROLE_ID, "desk@evil.example"),
        )
        .await,
        "their role, Admin, has permissions you do not hold",
    );
    refused(
        crate::services::recovery::send_to(&t.db, &desk, "second.admin", url).await,
        "their role, Admin",
    );
    refused(
        crate::services::password_change::set_by_admin(
            &t.db,
            &desk,
            crate::services::password_change::AdminSet {
                username: "second.admin",
                password: "a long enough passphrase",
                force_change: false,
                notice: PasswordNotice::Nothing,
            },
            url,
        )
        .await,
        "their role, Admin",
    );
    refused(
        lifecycle::set_active(&t.state(), &desk, "second.admin", false).await,
        "their role, Admin",
    );
    refused(
        lifecycle::delete(&t.state(), &desk, "second.admin").await,
        "their role, Admin",
    );
    let group = crate::services::groups::create(&t.db, &desk, "Staff", "")
        .await
        .unwrap();
    refused(
        crate::services::groups::set_member(&t.db, &desk, group, "second.admin", true).await,
        "their role, Admin",
    );
    let now = by_name(&t.db, "second.admin").await;
    assert_eq!(now, admin, "nothing about the Admin changed");
    assert_eq!(mails(&t.db).await, 0);
    for action in [
        "user.update",
        "user.deactivate",
        "user.delete",
        "user.password_set",
        "user.recovery_sent",
        "group.add_member",
    ] {
        assert_eq!(events(&t.db, action).await, 0, "{action}");
    }
    // The user page says why, and offers nothing.
    let view = lifecycle::detail(&t.db, &desk, "second.admin")
        .await
        .unwrap();
    assert!(!view.can_manage && !view.can_delete && !view.can_deactivate);
    assert!(view
        .guard_reason
        .unwrap()
        .contains("permissions you do not hold"));
    // Their equals stay within reach.
    add_user(&t.db, "pat.doe", UserStatus::Active).await;
    lifecycle::set_active(&t.state(), &desk, "pat.doe", false)
        .await
        .unwrap();
    assert!(
        lifecycle::detail(&t.db, &desk, "pat.doe")
            .await
            .unwrap()
            .can_manage
    );
    t.close().await;
}

#[tokio::test]
async fn a_role_manager_grants_only_what_it_holds_and_never_its_own_role() {
    let t = TestDb::new().await;
    let (_, desk) = cast(&t.db, &[Permission::UsersRead, Permission::RolesManage]).await;
    let own = by_name(&t.db, "help.desk").await.role_id;
    let all = Permission::ALL;
    refused(
        roles::update(&t.db, &desk, own, "Help desk", "", &all).await,
        "the role you hold yourself",
    );
    refused(
        roles::create(
            &t.db,
            &desk,
            "Everything",
            "",
            &[Permission::UsersRead, Permission::SettingsManage],
        )
        .await,
        "you do not hold settings.manage",
    );
    let above = add_role(&t.db, "Auditors", &[Permission::AuditRead]).await;
    refused(
        roles::update(
            &t.db,
            &desk,
            above,
            "Auditors",
            "",
            &[Permission::UsersRead],
        )
        .await,
        "it has permissions you do not hold",
    );
    refused(
        roles::delete(&t.db, &desk, above).await,
        "it has permissions you do not hold",
    );
    // Within its own permissions it may.
    let readers = roles::create(&t.db, &desk, "Readers", "", &[Permission::UsersRead])
        .await
        .unwrap();
    roles::update(
        &t.db,
        &desk,
        readers,
        "Readers",
        "read",
        &[Permission::UsersRead],
    )
    .await
    .unwrap();
    assert_eq!(
        access::permissions_of(&t.db, own).await.unwrap(),
        vec![Permission::UsersRead, Permission::RolesManage]
    );
    t.close().await;
}
