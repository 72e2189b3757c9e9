//! The last active Admin under real concurrent transactions: two Admins who
//! deactivate (or demote) each other at the same instant leave one behind.
use app::model::UserStatus;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use super::lifecycle;
use super::roles::{ADMIN_ROLE_ID, USER_ROLE_ID};
use crate::db::entities::user;
use crate::testkit::{actor_for, add_root, add_user, TestDb};

async fn admin(db: &DatabaseConnection, name: &str) -> user::Model {
    let mut m: user::ActiveModel = add_user(db, name, UserStatus::Active).await.into();
    m.role_id = Set(ADMIN_ROLE_ID);
    m.update(db).await.unwrap()
}

#[tokio::test]
async fn two_admins_removing_each_other_at_once_leave_one() {
    let t = TestDb::new().await;
    for round in 0..6 {
        // Fresh pair each round; earlier rounds' survivors are deleted first.
        let (a, b) = if round == 0 {
            (add_root(&t.db).await, admin(&t.db, "b.admin").await)
        } else {
            let a = admin(&t.db, &format!("a{round}.admin")).await;
            let b = admin(&t.db, &format!("b{round}.admin")).await;
            // Leave exactly these two active Admins.
            for other in active_admins_except(&t.db, &[a.id, b.id]).await {
                let mut m: user::ActiveModel = other.into();
                m.status = Set(UserStatus::Inactive.as_str().into());
                m.update(&t.db).await.unwrap();
            }
            (a, b)
        };
        let (by_a, by_b) = (actor_for(&a), actor_for(&b));
        let demote = |email: String| lifecycle::UserChanges {
            first_name: "Pat".into(),
            last_name: "Doe".into(),
            email,
            phone: String::new(),
            role_id: USER_ROLE_ID,
            external: false,
        };
        let (one, two) = if round % 2 == 0 {
            tokio::join!(
                lifecycle::set_active(&t.db, &by_a, &b.username, false),
                lifecycle::set_active(&t.db, &by_b, &a.username, false),
            )
        } else {
            tokio::join!(
                lifecycle::update(&t.db, &by_a, &b.username, demote(b.email.clone())),
                lifecycle::update(&t.db, &by_b, &a.username, demote(a.email.clone())),
            )
        };
        assert!(
            one.is_err() || two.is_err(),
            "round {round}: both succeeded ({one:?}, {two:?})"
        );
        let left = lifecycle::active_admins(&t.db).await.unwrap();
        assert_eq!(left, 1, "round {round}: {one:?} / {two:?}");
    }
    t.close().await;
}

async fn active_admins_except(db: &DatabaseConnection, keep: &[uuid::Uuid]) -> Vec<user::Model> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    user::Entity::find()
        .filter(user::Column::RoleId.eq(ADMIN_ROLE_ID))
        .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
        .filter(user::Column::Id.is_not_in(keep.to_vec()))
        .all(db)
        .await
        .unwrap()
}
