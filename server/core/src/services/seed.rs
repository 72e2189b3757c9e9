//! `usher seed --users N`: realistic demo data (names, emails, roles,
//! groups, statuses, a spread of last logins), fast enough for a million
//! users, and the same data every time (a fixed pseudo-random sequence).
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use shared::model::{Permission, UserStatus};
use uuid::Uuid;

use super::{db_error, roles::USER_ROLE_ID, users::name_key};
use crate::db::entities::{group, group_member, role, role_permission, user};
use shared::AppError;

const FIRST: &[&str] = &[
    "Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kira",
    "Liam", "Maria", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Samuel", "Tara", "Uma", "Victor",
    "Wanda", "Xavier", "Yara", "Zoe", "Ahmed", "Beatriz", "Chen", "Dmitri", "Emma", "Farah",
    "Giulia", "Hiro", "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Rafael",
    "Sofia", "Tomas", "Ursula", "Vera", "Wei", "Yusuf", "Zara",
];
const LAST: &[&str] = &[
    "Martin",
    "Garcia",
    "Muller",
    "Rossi",
    "Smith",
    "Nowak",
    "Kowalski",
    "Silva",
    "Santos",
    "Jensen",
    "Nielsen",
    "Hansen",
    "Johansson",
    "Larsen",
    "Dubois",
    "Moreau",
    "Laurent",
    "Fischer",
    "Weber",
    "Schneider",
    "Novak",
    "Horvat",
    "Popescu",
    "Ivanova",
    "Petrov",
    "Martinez",
    "Lopez",
    "Gonzalez",
    "Fernandez",
    "Romano",
    "Ricci",
    "Costa",
    "Ferreira",
    "Oliveira",
    "Pereira",
    "Kim",
    "Lee",
    "Park",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Singh",
    "Kumar",
    "Patel",
    "Khan",
    "Ali",
    "Okafor",
    "Mensah",
    "Diallo",
    "Haddad",
    "Cohen",
    "Levi",
    "Murphy",
    "Kelly",
    "Walsh",
    "Byrne",
];
const GROUPS: &[&str] = &[
    "Engineering",
    "Sales",
    "Marketing",
    "Support",
    "Finance",
    "Legal",
    "Operations",
    "Research",
    "Design",
    "Security",
    "Partners",
    "Contractors",
];

/// SplitMix64: a tiny deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn percent(&mut self) -> u64 {
        self.below(100)
    }
}

/// Custom roles and groups the demo data uses (created once).
async fn ensure_roles_and_groups(
    db: &DatabaseConnection,
) -> Result<(Vec<Uuid>, Vec<Uuid>), AppError> {
    let now = Utc::now();
    let mut role_ids = Vec::new();
    for (name, perms) in [
        (
            "Helpdesk",
            vec![Permission::UsersRead, Permission::UsersWrite],
        ),
        (
            "Auditor",
            vec![Permission::UsersRead, Permission::AuditRead],
        ),
    ] {
        let existing = role::Entity::find()
            .filter(role::Column::Name.eq(name))
            .one(db)
            .await
            .map_err(db_error)?;
        let id = match existing {
            Some(r) => r.id,
            None => {
                let id = Uuid::new_v4();
                role::ActiveModel {
                    id: Set(id),
                    name: Set(name.into()),
                    description: Set(format!("Demo role: {name}")),
                    builtin: Set(false),
                    all_permissions: Set(false),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(db)
                .await
                .map_err(db_error)?;
                for p in perms {
                    role_permission::ActiveModel {
                        role_id: Set(id),
                        permission: Set(p.as_str().into()),
                    }
                    .insert(db)
                    .await
                    .map_err(db_error)?;
                }
                id
            }
        };
        role_ids.push(id);
    }
    let mut group_ids = Vec::new();
    for name in GROUPS {
        let existing = group::Entity::find()
            .filter(group::Column::NameLc.eq(name.to_lowercase()))
            .one(db)
            .await
            .map_err(db_error)?;
        let id = match existing {
            Some(g) => g.id,
            None => {
                let id = Uuid::new_v4();
                group::ActiveModel {
                    id: Set(id),
                    name: Set((*name).into()),
                    name_lc: Set(name.to_lowercase()),
                    description: Set(format!("The {name} team")),
                    created_by: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(db)
                .await
                .map_err(db_error)?;
                id
            }
        };
        group_ids.push(id);
    }
    Ok((role_ids, group_ids))
}

/// Adds `count` users; returns how many were created.
pub async fn seed(db: &DatabaseConnection, count: u64) -> Result<u64, AppError> {
    let (roles, groups) = ensure_roles_and_groups(db).await?;
    let start = user::Entity::find().count(db).await.map_err(db_error)?;
    // One transaction: on any error the dropped indexes come back with the rollback.
    let txn = db.begin().await.map_err(db_error)?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        // A 256 MiB page cache for this connection: index pages stay in memory
        // while a million rows go in (the default is 2 MiB).
        txn.execute_unprepared("PRAGMA cache_size = -262144")
            .await
            .map_err(db_error)?;
    }
    // Many rows: building the secondary indexes once at the end is faster
    // than row by row (1M users on SQLite here: 117 s instead of 180 s).
    let indexes = if count >= BULK_FROM {
        suspend_indexes(&txn).await?
    } else {
        Vec::new()
    };
    let done = insert_users(&txn, start, count, &roles, &groups).await?;
    for (_, sql) in indexes {
        txn.execute_unprepared(&sql).await.map_err(db_error)?;
    }
    txn.commit().await.map_err(db_error)?;
    // New users are searchable at once (by the tail scan); index them now.
    crate::services::search_index::catch_up(db).await?;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("ANALYZE users; ANALYZE group_members")
            .await
            .map_err(db_error)?;
    } else {
        db.execute_unprepared("ANALYZE").await.map_err(db_error)?;
    }
    Ok(done)
}

async fn insert_users(
    db: &impl ConnectionTrait,
    start: u64,
    count: u64,
    roles: &[Uuid],
    groups: &[Uuid],
) -> Result<u64, AppError> {
    // Making the statements costs about what running them does: a second
    // thread makes the next batches while the database runs these.
    let backend = db.get_database_backend();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<sea_orm::Statement>>(4);
    let (roles, groups) = (roles.to_vec(), groups.to_vec());
    let producer = tokio::task::spawn_blocking(move || {
        make_batches(backend, start, count, &roles, &groups, |batch| {
            tx.blocking_send(batch).is_ok()
        })
    });
    while let Some(batch) = rx.recv().await {
        for statement in batch {
            db.execute_raw(statement).await.map_err(db_error)?;
        }
    }
    producer
        .await
        .map_err(|e| AppError::Internal(format!("seed thread: {e}")))
}

/// The insert statements for `count` users from number `start` on, a batch
/// at a time, handed to `send` (which returns false to stop).
fn make_batches(
    backend: sea_orm::DbBackend,
    start: u64,
    count: u64,
    roles: &[Uuid],
    groups: &[Uuid],
    mut send: impl FnMut(Vec<sea_orm::Statement>) -> bool,
) -> u64 {
    use sea_orm::QueryTrait;
    let now = Utc::now();
    let mut rng = Rng(0x5EED ^ start);
    let combos = (FIRST.len() * LAST.len()) as u64;
    const BATCH: u64 = 1_000;
    let mut done = 0;
    while done < count {
        let size = BATCH.min(count - done);
        let mut users = Vec::with_capacity(size as usize);
        let mut members = Vec::new();
        for k in 0..size {
            let i = start + done + k;
            let first = FIRST[(i % FIRST.len() as u64) as usize];
            let last = LAST[((i / FIRST.len() as u64) % LAST.len() as u64) as usize];
            let dup = i / combos;
            let username = if dup == 0 {
                format!("{}.{}", first.to_lowercase(), last.to_lowercase())
            } else {
                format!("{}.{}{dup}", first.to_lowercase(), last.to_lowercase())
            };
            let status = match rng.percent() {
                0..=84 => UserStatus::Active,
                85..=92 => UserStatus::Inactive,
                93..=96 => UserStatus::Invited,
                97..=98 => UserStatus::PendingEmail,
                _ => UserStatus::Review,
            };
            let role_id = match rng.below(1000) {
                0..=9 => roles[0],
                10..=14 => roles[1],
                _ => USER_ROLE_ID,
            };
            let created = now - Duration::minutes(rng.below(3 * 365 * 24 * 60) as i64);
            let last_login = (status == UserStatus::Active && rng.percent() >= 20)
                .then(|| now - Duration::minutes(rng.below(365 * 24 * 60) as i64));
            let id = Uuid::now_v7();
            let email = format!("{username}@example.com");
            users.push(user::ActiveModel {
                seq: sea_orm::NotSet,
                id: Set(id),
                username_lc: Set(username.clone()),
                username: Set(username),
                email_lc: Set(email.clone()),
                email: Set(email),
                first_name: Set(first.into()),
                last_name: Set(last.into()),
                name_lc: Set(name_key(first, last)),
                totp_enabled: Set(rng.percent() < 30),
                phone: Set(
                    (rng.percent() < 50).then(|| format!("+4915{:09}", rng.below(1_000_000_000)))
                ),
                status: Set(status.as_str().into()),
                origin: Set(if rng.percent() < 10 {
                    "external"
                } else {
                    "internal"
                }
                .into()),
                role_id: Set(role_id),
                password_hash: Set(None),
                must_change_password: Set(false),
                password_changed_at: Set(None),
                created_at: Set(created),
                updated_at: Set(created),
                last_login_at: Set(last_login),
            });
            for _ in 0..rng.below(3) {
                let g = groups[rng.below(groups.len() as u64) as usize];
                members.push((g, id));
            }
        }
        members.sort();
        members.dedup();
        let mut batch = vec![user::Entity::insert_many(users).build(backend)];
        if !members.is_empty() {
            let rows = members
                .into_iter()
                .map(|(group_id, user_id)| group_member::ActiveModel {
                    group_id: Set(group_id),
                    user_id: Set(user_id),
                    created_at: Set(now),
                });
            batch.push(group_member::Entity::insert_many(rows).build(backend));
        }
        if !send(batch) {
            break;
        }
        done += size;
    }
    done
}

/// From this many new users on, the seed rebuilds the indexes at the end.
const BULK_FROM: u64 = 50_000;

/// Drops the secondary indexes of `users`, `group_members` and (PostgreSQL)
/// `user_states`, not those behind primary keys and unique constraints;
/// returns the SQL that makes them again.
async fn suspend_indexes(db: &impl ConnectionTrait) -> Result<Vec<(String, String)>, AppError> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Index {
        name: String,
        sql: String,
    }
    let backend = db.get_database_backend();
    let query = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT indexname AS name, indexdef AS sql FROM pg_indexes i \
             WHERE tablename IN ('users', 'group_members', 'user_states') AND schemaname = current_schema() \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        }
        _ => {
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
             AND tbl_name IN ('users', 'group_members') AND sql IS NOT NULL"
        }
    };
    let indexes = Index::find_by_statement(Statement::from_string(backend, query))
        .all(db)
        .await
        .map_err(db_error)?;
    for index in &indexes {
        db.execute_unprepared(&format!("DROP INDEX \"{}\"", index.name))
            .await
            .map_err(db_error)?;
    }
    Ok(indexes.into_iter().map(|i| (i.name, i.sql)).collect())
}
