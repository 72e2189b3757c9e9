//! The last active Admin under real concurrent transactions: two Admins who
//! deactivate (or demote) each other at the same instant leave one behind.
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use shared::model::UserStatus;

use crate::db::entities::user;
use crate::services::roles::{ADMIN_ROLE_ID, USER_ROLE_ID};
use crate::services::{lifecycle, users};
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
        let demote = |email: String| lifecycle::UserEdit {
            first_name: "Pat".into(),
            last_name: "Doe".into(),
            email,
            phone: String::new(),
            role_id: USER_ROLE_ID,
            external: false,
        };
        let state = t.state();
        let (one, two) = if round % 2 == 0 {
            let (one, two) = tokio::join!(
                lifecycle::set_active(&state, &by_a, &b.username, false),
                lifecycle::set_active(&state, &by_b, &a.username, false),
            );
            (one.map(|_| ()), two.map(|_| ()))
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
        let left = users::active_admins(&t.db).await.unwrap();
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

/// The same race, with the interleaving forced: the first transaction has
/// counted two Admins and holds its permit when the second starts counting.
/// Without the lock the second would count two as well, and both commit.
#[tokio::test]
async fn a_second_transaction_counts_what_the_first_leaves() {
    use crate::services::access::{Act, AdminsLeft, Authority};
    use crate::services::{db_error, transitions};
    use sea_orm::TransactionTrait;
    use shared::AppError;

    let t = TestDb::new().await;
    let a = add_root(&t.db).await;
    let b = admin(&t.db, "b.admin").await;
    let (by_a, by_b) = (actor_for(&a), actor_for(&b));

    let txn1 = t.db.begin().await.unwrap();
    let auth1 = Authority::load(&txn1, &by_a).await.unwrap();
    let b_row = users::find(&txn1, "b.admin").await.unwrap();
    let permit1 = auth1
        .permit(&txn1, &b_row, Act::Deactivate, &mut AdminsLeft::unknown())
        .await
        .unwrap();

    let db = t.db.clone();
    let second = tokio::spawn(async move {
        let txn2 = db.begin().await.map_err(db_error)?;
        let auth2 = Authority::load(&txn2, &by_b).await?;
        let a_row = users::find(&txn2, "root.admin").await?;
        let permit = auth2
            .permit(&txn2, &a_row, Act::Deactivate, &mut AdminsLeft::unknown())
            .await?;
        transitions::apply(&txn2, &by_b, &[permit], None)
            .await
            .map_err(db_error)?;
        txn2.commit().await.map_err(db_error)
    });
    // The second is now waiting for the lock (PostgreSQL), or has read its
    // count and may take SQLite's write lock first.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let first: Result<(), AppError> = async {
        transitions::apply(&txn1, &by_a, &[permit1], None)
            .await
            .map_err(db_error)?;
        txn1.commit().await.map_err(db_error)
    }
    .await;
    let second = second.await.unwrap();
    assert!(
        first.is_err() != second.is_err(),
        "exactly one may succeed: {first:?} / {second:?}"
    );
    assert_eq!(users::active_admins(&t.db).await.unwrap(), 1);
    t.close().await;
}
