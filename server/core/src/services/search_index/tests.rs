//! The search index catching up (SQLite): users are found before and after
//! they are indexed, changes to indexed and not yet indexed users keep the
//! index exact, and it agrees with the users table throughout.
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, ModelTrait, Set};
use shared::model::user_query::UserQuery;
use shared::model::UserStatus;

use crate::db::entities::user;
use crate::services::directory::page;
use crate::services::search_index::{catch_up, index_chunk, pending};
use crate::services::users::name_key;
use crate::testkit::TestDb;

async fn add(db: &DatabaseConnection, username: &str, first: &str, last: &str) -> user::Model {
    crate::testkit::add_person(db, username, first, last, UserStatus::Active).await
}

async fn found(db: &DatabaseConnection, text: &str) -> Vec<String> {
    let q = UserQuery {
        search: text.into(),
        ..Default::default()
    };
    let result = page(db, &q).await.unwrap();
    let names: Vec<String> = result.page.items.into_iter().map(|u| u.username).collect();
    assert_eq!(result.page.total, names.len() as u64, "count of {text:?}");
    names
}

async fn rename(db: &DatabaseConnection, u: user::Model, first: &str, last: &str) {
    let mut m: user::ActiveModel = u.into();
    m.first_name = Set(first.into());
    m.last_name = Set(last.into());
    m.name_lc = Set(name_key(first, last));
    m.update(db).await.unwrap();
}

/// FTS5 compares its index with the users table (rank 1: the content too).
async fn index_agrees(db: &DatabaseConnection) {
    db.execute_unprepared(
        "INSERT INTO users_search(users_search, rank) VALUES ('integrity-check', 1)",
    )
    .await
    .expect("the search index agrees with the users table");
}

#[tokio::test]
async fn users_are_found_before_and_after_the_index_catches_up() {
    let t = TestDb::new().await;
    let db = &t.db;
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let before = pending(db).await.unwrap();
    let ada = add(db, "ada.lovelace", "Ada", "Lovelace").await;
    let alan = add(db, "alan.turing", "Alan", "Turing").await;
    let grace = add(db, "grace.hopper", "Grace", "Hopper").await;
    add(db, "edsger.dijkstra", "Edsger", "Dijkstra").await;
    add(db, "barbara.liskov", "Barbara", "Liskov").await;
    if !sqlite {
        // PostgreSQL keeps its trigram index itself: nothing waits.
        assert_eq!(pending(db).await.unwrap(), 0);
        assert_eq!(catch_up(db).await.unwrap(), 0);
        assert_eq!(found(db, "lovel").await, ["ada.lovelace"]);
        t.close().await;
        return;
    }
    assert_eq!(pending(db).await.unwrap(), before + 5);
    assert_eq!(
        found(db, "lovel").await,
        ["ada.lovelace"],
        "by the tail scan"
    );

    // Part of the tail, then the rest.
    assert_eq!(index_chunk(db, 2).await.unwrap(), 2.min(before + 5));
    assert_eq!(catch_up(db).await.unwrap(), before + 5 - 2.min(before + 5));
    assert_eq!(pending(db).await.unwrap(), 0);
    assert_eq!(catch_up(db).await.unwrap(), 0, "nothing left to index");
    index_agrees(db).await;
    assert_eq!(found(db, "lovel").await, ["ada.lovelace"], "by the index");
    assert_eq!(found(db, "ada love").await, ["ada.lovelace"]);

    // Indexed users: renamed and deleted by the triggers.
    rename(db, ada, "Augusta", "King").await;
    assert!(found(db, "ada love").await.is_empty());
    assert_eq!(found(db, "augusta k").await, ["ada.lovelace"]);
    alan.delete(db).await.unwrap();
    assert!(found(db, "turing").await.is_empty());
    index_agrees(db).await;

    // Users not indexed yet: renamed and deleted before the catch-up, which
    // then indexes what is there.
    let ken = add(db, "ken.thompson", "Ken", "Thompson").await;
    let dennis = add(db, "dennis.ritchie", "Dennis", "Ritchie").await;
    rename(db, ken, "Kenneth", "Lane").await;
    dennis.delete(db).await.unwrap();
    assert_eq!(found(db, "kenneth la").await, ["ken.thompson"]);
    assert!(found(db, "ken thom").await.is_empty());
    assert!(found(db, "ritchie").await.is_empty());
    assert_eq!(pending(db).await.unwrap(), 1);
    assert_eq!(catch_up(db).await.unwrap(), 1);
    index_agrees(db).await;
    assert_eq!(found(db, "kenneth la").await, ["ken.thompson"]);
    assert!(found(db, "ken thom").await.is_empty());
    assert!(found(db, "ritchie").await.is_empty());

    // An indexed user and a new one match the same text: each once.
    add(db, "grace.brewster", "Grace", "Brewster").await;
    assert_eq!(found(db, "grace").await, ["grace.brewster", "grace.hopper"]);
    grace.delete(db).await.unwrap();
    assert_eq!(found(db, "grace").await, ["grace.brewster"]);
    t.close().await;
}
