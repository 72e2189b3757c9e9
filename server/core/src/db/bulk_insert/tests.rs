//! The batch write transaction on both back-ends: users bulk-inserted on
//! SQLite's handle read back exactly as sea-orm's own inserts do, sea-orm
//! statements and bulk inserts share one transaction, and a dropped or
//! failed transaction leaves nothing behind and the pool usable.
use chrono::{TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, Set, Statement,
};
use shared::model::UserStatus;

use super::BulkInsertTxn;
use crate::db::entities::user;
use crate::services::roles::USER_ROLE_ID;
use crate::services::users::{active_model, NewUser};
use crate::testkit::TestDb;

fn new_user(username: &str, password: bool) -> user::ActiveModel {
    let mut model = active_model(NewUser {
        username: username.into(),
        email: format!("{username}@Example.org"),
        first_name: "Zoë".into(),
        last_name: "O'Brien".into(),
        role_id: USER_ROLE_ID,
        status: UserStatus::Invited,
        password_hash: password.then(|| "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
    });
    if password {
        model.phone = Set(Some("+49 30 1234567".into()));
        model.origin = Set("external".into());
        model.must_change_password = Set(true);
        model.last_login_at = Set(Some(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()));
    }
    model
}

async fn find(db: &DatabaseConnection, username: &str) -> Option<user::Model> {
    crate::services::users::find(db, username).await.ok()
}

/// Every column as SQLite stores it: its type and its text.
async fn stored(db: &DatabaseConnection, username: &str) -> Vec<String> {
    let columns = [
        "id",
        "username",
        "username_lc",
        "email",
        "email_lc",
        "first_name",
        "last_name",
        "name_lc",
        "totp_enabled",
        "phone",
        "status",
        "origin",
        "role_id",
        "password_hash",
        "must_change_password",
        "password_changed_at",
        "created_at",
        "updated_at",
        "last_login_at",
    ];
    let select: Vec<String> = columns
        .iter()
        .map(|c| format!("typeof({c}) || ':' || length({c})"))
        .collect();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!("SELECT {} FROM users WHERE username = ?", select.join(", ")),
            [username.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    (0..columns.len())
        .map(|i| {
            let v: Option<String> = row.try_get_by_index(i).unwrap();
            format!("{}={}", columns[i], v.unwrap_or_else(|| "null".into()))
        })
        .collect()
}

#[tokio::test]
async fn bulk_inserted_users_read_back_like_sea_orm_inserts() {
    let t = TestDb::new().await;
    let db = &t.db;
    for password in [false, true] {
        let (orm, bulk) = if password {
            ("Orm.Two", "Bulk.Two")
        } else {
            ("Orm.One", "Bulk.One")
        };
        let by_orm = new_user(orm, password);
        let mut by_bulk = new_user(bulk, password);
        // The same times, so the rows can be compared column by column.
        by_bulk.created_at = by_orm.created_at.clone();
        by_bulk.updated_at = by_orm.updated_at.clone();
        by_bulk.password_changed_at = by_orm.password_changed_at.clone();
        by_orm.insert(db).await.unwrap();
        let txn = BulkInsertTxn::begin(db).await.unwrap();
        txn.insert_users(vec![by_bulk]).await.unwrap();
        txn.commit().await.unwrap();

        let a = find(db, orm).await.unwrap();
        let b = find(db, bulk).await.unwrap();
        assert!(b.seq > a.seq);
        let same = |m: user::Model| user::Model {
            seq: 0,
            id: uuid::Uuid::nil(),
            username: String::new(),
            username_lc: String::new(),
            email: String::new(),
            email_lc: String::new(),
            ..m
        };
        assert_eq!(same(a.clone()), same(b.clone()));
        assert_eq!(b.username, bulk);
        assert_eq!(b.username_lc, bulk.to_lowercase());
        assert_eq!(b.email_lc, format!("{}@example.org", bulk.to_lowercase()));
        if db.get_database_backend() == DbBackend::Sqlite {
            // Same storage classes and lengths: UUIDs as 16-byte blobs, the
            // same time format, which the text sorts and the export rely on.
            let strip = |v: Vec<String>| -> Vec<String> {
                v.into_iter()
                    .filter(|c| !c.starts_with("username") && !c.starts_with("email"))
                    .collect()
            };
            let (sa, sb) = (stored(db, orm).await, stored(db, bulk).await);
            assert!(sb.contains(&"id=blob:16".to_string()), "{sb:?}");
            assert_eq!(strip(sa), strip(sb));
        }
    }
}

#[tokio::test]
async fn statements_and_bulk_inserts_share_one_transaction() {
    let t = TestDb::new().await;
    let db = &t.db;
    let rows = |prefix: &str, n: usize| -> Vec<user::ActiveModel> {
        (0..n)
            .map(|i| new_user(&format!("{prefix}.{i}"), false))
            .collect()
    };

    // Dropped without commit: neither the statement nor the users remain.
    let txn = BulkInsertTxn::begin(db).await.unwrap();
    new_user("by.statement", false).insert(&txn).await.unwrap();
    txn.insert_users(rows("dropped", 2_345)).await.unwrap();
    let seen = user::Entity::find()
        .filter(user::Column::UsernameLc.starts_with("dropped."))
        .all(&txn)
        .await
        .unwrap();
    assert_eq!(seen.len(), 2_345, "the transaction sees its own rows");
    drop(txn);
    assert!(find(db, "by.statement").await.is_none());
    assert!(find(db, "dropped.0").await.is_none());

    // A duplicate in the middle of a bulk insert fails the insert; the
    // transaction then rolls back whole.
    let txn = BulkInsertTxn::begin(db).await.unwrap();
    new_user("by.statement", false).insert(&txn).await.unwrap();
    let mut bad = rows("dup", 150);
    bad.push(new_user("dup.7", false));
    assert!(txn.insert_users(bad).await.is_err());
    drop(txn);
    assert!(find(db, "by.statement").await.is_none());
    assert!(find(db, "dup.0").await.is_none());

    // Committed: both, with the pool still usable for writes.
    let txn = BulkInsertTxn::begin(db).await.unwrap();
    new_user("by.statement", false).insert(&txn).await.unwrap();
    txn.insert_users(rows("kept", 1_001)).await.unwrap();
    txn.commit().await.unwrap();
    assert!(find(db, "by.statement").await.is_some());
    let kept = user::Entity::find()
        .filter(user::Column::UsernameLc.starts_with("kept."))
        .all(db)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1_001);
    // In the order given: seq follows the rows.
    let mut by_seq = kept.clone();
    by_seq.sort_by_key(|u| u.seq);
    let order: Vec<&str> = by_seq.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(order[..3], ["kept.0", "kept.1", "kept.2"]);
    assert_eq!(order[1_000], "kept.1000");
}
