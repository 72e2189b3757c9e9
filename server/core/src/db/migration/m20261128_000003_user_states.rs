//! PostgreSQL only: mass status changes become in-place (HOT) updates.
//! PostgreSQL rewrites every index entry of a row whose indexed column
//! changes, so `status` leaves the indexes of `users` (and its pages keep
//! 15 % free for the new row versions). The status filter reads a narrow
//! `user_states` table instead, kept by statement-level triggers: one
//! statement per change of many rows, not one per row. SQLite, which has no
//! in-place updates, keeps its index on `users` and is not changed.
use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE TABLE user_states (seq BIGINT PRIMARY KEY, status TEXT NOT NULL, \
     role_id UUID NOT NULL, username_lc TEXT NOT NULL)",
    "INSERT INTO user_states (seq, status, role_id, username_lc) \
     SELECT seq, status, role_id, username_lc FROM users",
    "CREATE INDEX user_states_filter ON user_states (status, role_id, username_lc, seq)",
    "CREATE FUNCTION user_states_add() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
       INSERT INTO user_states (seq, status, role_id, username_lc) \
         SELECT seq, status, role_id, username_lc FROM new_rows; \
       RETURN NULL; END $$",
    "CREATE FUNCTION user_states_remove() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
       DELETE FROM user_states s USING old_rows o WHERE s.seq = o.seq; \
       RETURN NULL; END $$",
    "CREATE FUNCTION user_states_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
       UPDATE user_states s SET status = n.status, role_id = n.role_id \
         FROM new_rows n JOIN old_rows o ON o.seq = n.seq \
         WHERE s.seq = n.seq AND (o.status <> n.status OR o.role_id <> n.role_id); \
       RETURN NULL; END $$",
    "CREATE TRIGGER user_states_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows \
     FOR EACH STATEMENT EXECUTE FUNCTION user_states_add()",
    "CREATE TRIGGER user_states_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows \
     FOR EACH STATEMENT EXECUTE FUNCTION user_states_remove()",
    "CREATE TRIGGER user_states_update AFTER UPDATE ON users \
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows \
     FOR EACH STATEMENT EXECUTE FUNCTION user_states_move()",
    "DROP INDEX users_status_role",
    "ALTER TABLE users SET (fillfactor = 85)",
];

const DOWN: &[&str] = &[
    "ALTER TABLE users RESET (fillfactor)",
    "CREATE INDEX users_status_role ON users (status, role_id, username_lc)",
    "DROP TRIGGER user_states_update ON users",
    "DROP TRIGGER user_states_delete ON users",
    "DROP TRIGGER user_states_insert ON users",
    "DROP FUNCTION user_states_move()",
    "DROP FUNCTION user_states_remove()",
    "DROP FUNCTION user_states_add()",
    "DROP TABLE user_states",
];

async fn run(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    if m.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = m.get_connection();
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, DOWN).await
    }
}
