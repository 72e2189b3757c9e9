//! Indexes that keep the users table fast at millions of rows: one per sort
//! (each ending in `seq` for keyset paging), one for the status + role
//! filter, a trigram index for substring search (FTS5 on SQLite, pg_trgm on
//! PostgreSQL), and on PostgreSQL per-(status, role) counts. Part of the initial migration.
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

const COMMON: &[&str] = &[
    "CREATE INDEX users_username_sort ON users (username_lc, seq)",
    "CREATE INDEX users_email_sort ON users (email_lc, seq)",
    "CREATE INDEX users_name_sort ON users (name_lc, seq)",
    "CREATE INDEX users_created_sort ON users (created_at, seq)",
    "CREATE INDEX users_status_role ON users (status, role_id, username_lc)",
    "CREATE INDEX users_role ON users (role_id, username_lc)",
];

const SQLITE: &[&str] = &[
    // SQLite sorts NULL first ascending, as the other back-end's index below.
    "CREATE INDEX users_last_login_sort ON users (last_login_at, seq)",
    "CREATE VIRTUAL TABLE users_search USING fts5(username, email, first_name, last_name, \
     content='users', content_rowid='seq', tokenize='trigram')",
    "CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN \
     INSERT INTO users_search(rowid, username, email, first_name, last_name) \
     VALUES (new.seq, new.username, new.email, new.first_name, new.last_name); END",
    "CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN \
     INSERT INTO users_search(users_search, rowid, username, email, first_name, last_name) \
     VALUES ('delete', old.seq, old.username, old.email, old.first_name, old.last_name); END",
    "CREATE TRIGGER users_search_update AFTER UPDATE OF username, email, first_name, last_name ON users BEGIN \
     INSERT INTO users_search(users_search, rowid, username, email, first_name, last_name) \
     VALUES ('delete', old.seq, old.username, old.email, old.first_name, old.last_name); \
     INSERT INTO users_search(rowid, username, email, first_name, last_name) \
     VALUES (new.seq, new.username, new.email, new.first_name, new.last_name); END",
];

const POSTGRES: &[&str] = &[
    // Exact counts per (status, role) kept by triggers: PostgreSQL needs tens
    // of milliseconds to count a million rows (SQLite counts them from an
    // index in about ten, so it counts directly).
    "CREATE TABLE user_counts (status TEXT NOT NULL, role_id UUID NOT NULL, n BIGINT NOT NULL, \
     PRIMARY KEY (status, role_id))",
    // Statement-level triggers with transition tables: a bulk insert updates
    // each counter once per statement, not once per row.
    "CREATE FUNCTION user_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
       INSERT INTO user_counts (status, role_id, n) \
         SELECT status, role_id, count(*) FROM new_rows GROUP BY status, role_id \
       ON CONFLICT (status, role_id) DO UPDATE SET n = user_counts.n + EXCLUDED.n; \
       RETURN NULL; END $$",
    "CREATE FUNCTION user_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
       UPDATE user_counts c SET n = c.n - d.k \
         FROM (SELECT status, role_id, count(*) AS k FROM old_rows GROUP BY status, role_id) d \
         WHERE c.status = d.status AND c.role_id = d.role_id; \
       RETURN NULL; END $$",
    "CREATE FUNCTION user_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
       INSERT INTO user_counts (status, role_id, n) \
         SELECT status, role_id, sum(k) FROM ( \
           SELECT o.status, o.role_id, -1 AS k FROM old_rows o JOIN new_rows n ON n.seq = o.seq \
             WHERE o.status <> n.status OR o.role_id <> n.role_id \
           UNION ALL \
           SELECT n.status, n.role_id, 1 AS k FROM old_rows o JOIN new_rows n ON n.seq = o.seq \
             WHERE o.status <> n.status OR o.role_id <> n.role_id \
         ) moved GROUP BY status, role_id \
       ON CONFLICT (status, role_id) DO UPDATE SET n = user_counts.n + EXCLUDED.n; \
       RETURN NULL; END $$",
    "CREATE TRIGGER user_counts_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows \
     FOR EACH STATEMENT EXECUTE FUNCTION user_counts_add()",
    "CREATE TRIGGER user_counts_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows \
     FOR EACH STATEMENT EXECUTE FUNCTION user_counts_remove()",
    "CREATE TRIGGER user_counts_update AFTER UPDATE ON users \
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows \
     FOR EACH STATEMENT EXECUTE FUNCTION user_counts_move()",
    "CREATE INDEX users_last_login_sort ON users (last_login_at ASC NULLS FIRST, seq)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX users_search ON users USING gin \
     ((username_lc || ' ' || email_lc || ' ' || name_lc) gin_trgm_ops)",
];

pub async fn create(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let specific = match m.get_database_backend() {
        DbBackend::Postgres => POSTGRES,
        _ => SQLITE,
    };
    for sql in COMMON.iter().chain(specific) {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}
