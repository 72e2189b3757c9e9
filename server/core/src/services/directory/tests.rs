//! Service tests of the users table query on the chosen back-end.
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, QueryFilter, Set};
use shared::model::user_query::{Cursor, LoginFilter, SortKey, UserQuery};
use shared::model::UserStatus;

use crate::db::entities::user;
use crate::services::directory::page;
use crate::services::roles::{ADMIN_ROLE_ID, USER_ROLE_ID};
use crate::testkit::TestDb;

async fn add(db: &DatabaseConnection, username: &str, first: &str, last: &str) -> user::Model {
    crate::testkit::add_person(db, username, first, last, UserStatus::Active).await
}

/// 25 users u00 … u24; every third never logged in, others at distinct times
/// with some ties.
async fn fixture(db: &DatabaseConnection) {
    let now = Utc::now();
    for i in 0..25 {
        let u = add(db, &format!("u{i:02}"), "Test", &format!("Person{i}")).await;
        let mut m: user::ActiveModel = u.into();
        if i % 3 != 0 {
            m.last_login_at = Set(Some(now - Duration::hours((i / 2) as i64)));
        }
        m.update(db).await.unwrap();
    }
}

/// Walks every page forward with cursors and back again.
async fn walk(db: &DatabaseConnection, base: UserQuery) -> Vec<String> {
    let mut q = UserQuery {
        per_page: 10,
        ..base
    };
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    loop {
        let p = page(db, &q).await.unwrap();
        let names: Vec<String> = p.page.items.iter().map(|u| u.username.clone()).collect();
        pages.push(names.clone());
        seen.extend(names);
        if !p.has_next {
            break;
        }
        let last = p.page.items.last().unwrap().seq;
        q = UserQuery {
            page: q.page + 1,
            cursor: Some(Cursor::After(last)),
            ..q
        };
    }
    // Back from the last page with Before cursors gives the same pages.
    let mut back = pages.len();
    while back > 1 {
        let first_seq = page(db, &q).await.unwrap().page.items.first().unwrap().seq;
        q = UserQuery {
            page: q.page - 1,
            cursor: Some(Cursor::Before(first_seq)),
            ..q
        };
        back -= 1;
        let p = page(db, &q).await.unwrap();
        let names: Vec<String> = p.page.items.iter().map(|u| u.username.clone()).collect();
        assert_eq!(names, pages[back - 1], "page {back} going back");
    }
    seen
}

#[tokio::test]
async fn keyset_paging_matches_offset_for_every_sort() {
    let t = TestDb::new().await;
    fixture(&t.db).await;
    for sort in [
        SortKey::Username,
        SortKey::Name,
        SortKey::LastLogin,
        SortKey::Created,
        SortKey::Phone,
    ] {
        for descending in [false, true] {
            let base = UserQuery {
                sort,
                descending,
                ..Default::default()
            };
            let walked = walk(&t.db, base.clone()).await;
            let all = page(
                &t.db,
                &UserQuery {
                    per_page: 100,
                    ..base.clone()
                },
            )
            .await
            .unwrap();
            let expected: Vec<String> = all.page.items.iter().map(|u| u.username.clone()).collect();
            assert_eq!(walked.len(), 25, "{sort:?} desc={descending}");
            assert_eq!(walked, expected, "{sort:?} desc={descending}");
            // Offset pages (a typed page number) agree with the cursor walk.
            let third = page(
                &t.db,
                &UserQuery {
                    page: 3,
                    per_page: 10,
                    ..base
                },
            )
            .await
            .unwrap();
            let names: Vec<String> = third
                .page
                .items
                .iter()
                .map(|u| u.username.clone())
                .collect();
            assert_eq!(names, expected[20..].to_vec());
        }
    }
    // Never-logged-in users come last when sorting by last login, newest first.
    let newest = page(
        &t.db,
        &UserQuery {
            sort: SortKey::LastLogin,
            descending: true,
            per_page: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(newest.page.items.last().unwrap().last_login_at.is_none());
    assert!(newest.page.items.first().unwrap().last_login_at.is_some());
    t.close().await;
}

#[tokio::test]
async fn search_matches_substrings_and_prefixes_case_insensitively() {
    let t = TestDb::new().await;
    add(&t.db, "maria.garcia", "María", "García").await;
    add(&t.db, "jon.martinez", "Jon", "Martínez").await;
    add(&t.db, "anna.smith", "Anna", "Smith").await;
    // On SQLite, first through the scan of users the index does not hold
    // yet, then through the index.
    search_finds_substrings(&t.db).await;
    crate::services::search_index::catch_up(&t.db)
        .await
        .unwrap();
    assert_eq!(
        crate::services::search_index::pending(&t.db).await.unwrap(),
        0
    );
    search_finds_substrings(&t.db).await;
    t.close().await;
}

async fn search_finds_substrings(db: &sea_orm::DatabaseConnection) {
    let find = |text: &str| UserQuery {
        search: text.into(),
        ..Default::default()
    };
    let names = |p: shared::model::UserPage| {
        p.page
            .items
            .into_iter()
            .map(|u| u.username)
            .collect::<Vec<_>>()
    };

    assert_eq!(
        names(page(db, &find("MART")).await.unwrap()),
        ["jon.martinez"]
    );
    assert_eq!(
        names(page(db, &find("arci")).await.unwrap()),
        ["maria.garcia"]
    );
    assert_eq!(
        names(page(db, &find("smith@exa")).await.unwrap()),
        ["anna.smith"]
    );
    assert_eq!(
        names(page(db, &find("an")).await.unwrap()),
        ["anna.smith"],
        "short text is a prefix"
    );
    assert_eq!(
        names(page(db, &find("García")).await.unwrap()),
        ["maria.garcia"]
    );
    assert_eq!(
        names(page(db, &find("anna smi")).await.unwrap()),
        ["anna.smith"],
        "first and last name are searched as one"
    );
    let none = page(db, &find("zzz")).await.unwrap();
    assert_eq!(none.page.total, 0);
    assert!(none.page.items.is_empty());
    assert_eq!(
        names(page(db, &find("50%")).await.unwrap()),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn filters_combine() {
    let t = TestDb::new().await;
    fixture(&t.db).await;
    let admin = add(&t.db, "boss", "Big", "Boss").await;
    let mut m: user::ActiveModel = admin.into();
    m.role_id = Set(ADMIN_ROLE_ID);
    m.status = Set(UserStatus::Inactive.as_str().into());
    m.origin = Set("external".into());
    m.update(&t.db).await.unwrap();

    let count = |q: UserQuery| {
        let db = t.db.clone();
        async move { page(&db, &q).await.unwrap().page.total }
    };
    assert_eq!(count(UserQuery::default()).await, 26);
    assert_eq!(
        count(UserQuery {
            status: Some(UserStatus::Inactive),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(UserQuery {
            role: Some(ADMIN_ROLE_ID.to_string()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(UserQuery {
            status: Some(UserStatus::Active),
            role: Some(USER_ROLE_ID.to_string()),
            ..Default::default()
        })
        .await,
        25
    );
    assert_eq!(
        count(UserQuery {
            login: Some(LoginFilter::Never),
            ..Default::default()
        })
        .await,
        9 + 1
    );
    assert_eq!(
        count(UserQuery {
            login: Some(LoginFilter::Ever),
            ..Default::default()
        })
        .await,
        16
    );
    assert_eq!(
        count(UserQuery {
            origin: Some(shared::model::user_query::Origin::External),
            ..Default::default()
        })
        .await,
        1
    );
    // Not logged in for 5 days: the never-logged-in ones only (others are hours ago).
    assert_eq!(
        count(UserQuery {
            idle_days: Some(5),
            ..Default::default()
        })
        .await,
        10
    );
    let today = Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        count(UserQuery {
            created_from: Some(today.clone()),
            created_to: Some(today),
            ..Default::default()
        })
        .await,
        26
    );
    assert_eq!(
        count(UserQuery {
            created_to: Some("2000-01-01".into()),
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        count(UserQuery {
            two_factor: Some(true),
            ..Default::default()
        })
        .await,
        0
    );
    t.close().await;
}

#[tokio::test]
async fn seeded_users_are_searchable_and_the_index_stays_live() {
    let t = TestDb::new().await;
    let created = crate::services::seed::seed(&t.db, 300).await.unwrap();
    assert_eq!(created, 300);
    let q = UserQuery {
        search: "anna".into(),
        per_page: 100,
        ..Default::default()
    };
    let found = page(&t.db, &q).await.unwrap();
    assert_eq!(found.page.total, 6, "anna × 6 surnames in the first 300");
    assert!(found
        .page
        .items
        .iter()
        .all(|u| u.username.starts_with("anna.")));
    // Rows added after the seed are found before and after they are indexed.
    add(&t.db, "zed.annabelle", "Zed", "Annabelle").await;
    assert_eq!(page(&t.db, &q).await.unwrap().page.total, 7);
    crate::services::search_index::catch_up(&t.db)
        .await
        .unwrap();
    assert_eq!(page(&t.db, &q).await.unwrap().page.total, 7);
    // A second seed continues the sequence without clashing.
    assert_eq!(crate::services::seed::seed(&t.db, 50).await.unwrap(), 50);
    t.close().await;
}

#[tokio::test]
async fn totals_stay_exact_through_changes() {
    use sea_orm::{EntityTrait, ModelTrait};
    let t = TestDb::new().await;
    fixture(&t.db).await;
    let total = |q: UserQuery| {
        let db = t.db.clone();
        async move { page(&db, &q).await.unwrap().page.total }
    };
    let active = || UserQuery {
        status: Some(UserStatus::Active),
        ..Default::default()
    };
    let general = || UserQuery {
        role: Some(USER_ROLE_ID.to_string()),
        ..Default::default()
    };
    assert_eq!(total(UserQuery::default()).await, 25);
    assert_eq!(total(active()).await, 25);

    let one = user::Entity::find().one(&t.db).await.unwrap().unwrap();
    let mut m: user::ActiveModel = one.clone().into();
    m.status = Set(UserStatus::Inactive.as_str().into());
    m.role_id = Set(ADMIN_ROLE_ID);
    m.update(&t.db).await.unwrap();
    assert_eq!(total(active()).await, 24);
    assert_eq!(total(general()).await, 24);
    assert_eq!(total(UserQuery::default()).await, 25);
    // The rows follow the change too (PostgreSQL reads them via `user_states`).
    let moved = UserQuery {
        status: Some(UserStatus::Inactive),
        role: Some(ADMIN_ROLE_ID.to_string()),
        ..Default::default()
    };
    let rows = page(&t.db, &moved).await.unwrap().page.items;
    let names: Vec<&str> = rows.iter().map(|r| r.username.as_str()).collect();
    assert_eq!(names, [one.username.as_str()]);
    // One inactive user in 25 is rare: PostgreSQL finds it via `user_states`.
    let inactive = UserQuery {
        status: Some(UserStatus::Inactive),
        ..Default::default()
    };
    let rows = page(&t.db, &inactive).await.unwrap().page.items;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].username, one.username);
    let searched = UserQuery {
        status: Some(UserStatus::Inactive),
        search: one.username.clone(),
        ..Default::default()
    };
    assert_eq!(page(&t.db, &searched).await.unwrap().page.total, 1);

    let two = user::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&user::Column::Status, "active"))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    two.delete(&t.db).await.unwrap();
    assert_eq!(total(UserQuery::default()).await, 24);
    assert_eq!(total(active()).await, 23);
    t.close().await;
}
