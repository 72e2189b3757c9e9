//! `usher bench`, import part: 100,000 rows without passwords through the
//! preview and the apply (rows/s end to end), the raw bulk insert of the
//! same kind of rows for the ratio, and rows with passwords against what
//! argon2id allows on this machine's cores. The bench's users are removed
//! afterwards.
use std::time::Instant;

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};

use usher_core::db::bulk_insert::BulkInsertTxn;
use usher_core::db::entities::user;
use usher_core::services::actor::Actor;
use usher_core::services::import::{self, apply::Effects, direct};
use usher_core::services::users::{self, NewUser};

const ROWS: usize = 100_000;
const PASSWORD_ROWS: usize = 256;

fn file(prefix: &str, rows: usize, password: bool) -> String {
    let mut csv = String::from("username,first_name,last_name,email,role,status,origin,password\n");
    for i in 0..rows {
        let pw = if password {
            format!("bench passphrase number {i}")
        } else {
            String::new()
        };
        csv.push_str(&format!(
            "{prefix}.{i},Bench,Person,{prefix}.{i}@bench.example,General user,active,internal,{pw}\n"
        ));
    }
    csv
}

fn actor() -> Actor {
    Actor {
        id: uuid::Uuid::nil(),
        username: "usher bench".into(),
        ip: None,
    }
}

fn effects() -> Effects {
    Effects {
        public_url: "http://bench.invalid".into(),
        sign_in_url: "http://bench.invalid/login".into(),
        ca: None,
    }
}

fn err(e: app::AppError) -> anyhow::Error {
    anyhow::anyhow!(e.summary())
}

/// The import figures on this database, then (SQLite) on a new, empty one.
pub async fn run(db: &DatabaseConnection) -> anyhow::Result<()> {
    let users = user::Entity::find().count(db).await?;
    measure(db, &format!("users={users}")).await?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        let path =
            std::env::temp_dir().join(format!("usher-bench-import-{}.db", std::process::id()));
        let fresh =
            usher_core::db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?;
        usher_core::db::migrate(&fresh).await?;
        measure(&fresh, "users=0 (a new database)").await?;
        fresh.close().await?;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    Ok(())
}

async fn measure(db: &DatabaseConnection, label: &str) -> anyhow::Result<()> {
    println!("import into {label}");
    let run = chrono::Utc::now().timestamp_millis();
    let actor = actor();
    let bytes = file(&format!("bench-imp-{run}"), ROWS, false);

    let started = Instant::now();
    let authority = usher_core::services::access::Authority::load(db, &actor)
        .await
        .map_err(err)?;
    let prepared = import::prepare(db, bytes.as_bytes(), None, Default::default(), authority)
        .await
        .map_err(err)?;
    let read = started.elapsed().as_secs_f64();
    let (_, counts) = import::dry_run(db, &prepared).await.map_err(err)?;
    let preview = started.elapsed().as_secs_f64();
    println!(
        "import_preview       rows={ROWS} seconds={preview:.2} rate={:.0} rows/s ({})",
        ROWS as f64 / preview,
        counts.summary()
    );
    println!(
        "import_read          rows={ROWS} seconds={read:.2} (of the preview: reading the file, the duplicates and the roles; the apply reads it too)"
    );

    let started = Instant::now();
    let done = direct::import_file(
        db,
        &actor,
        "bench.csv",
        bytes.as_bytes(),
        Default::default(),
        false,
        &effects(),
    )
    .await
    .map_err(err)?;
    let apply = started.elapsed().as_secs_f64();
    println!(
        "import_apply         rows={ROWS} seconds={apply:.2} rate={:.0} rows/s ({})",
        ROWS as f64 / apply,
        done.counts.summary()
    );

    // Search finds the new users at once by scanning the not yet indexed
    // tail; the server's catch-up then indexes them. Timed on its own.
    let started = Instant::now();
    let indexed = usher_core::services::search_index::catch_up(db)
        .await
        .map_err(err)?;
    let index = started.elapsed().as_secs_f64();
    println!(
        "import_search_index  rows={indexed} seconds={index:.2} rate={:.0} rows/s (after the apply; apply + index {:.0} rows/s)",
        indexed as f64 / index.max(1e-9),
        ROWS as f64 / (apply + index)
    );

    let raw = raw_insert(db, &format!("bench-raw-{run}")).await?;
    println!(
        "import_raw_insert    rows={ROWS} seconds={raw:.2} rate={:.0} rows/s apply/raw={:.2}",
        ROWS as f64 / raw,
        raw / apply
    );

    let capacity = argon2_capacity();
    let bytes = file(&format!("bench-pw-{run}"), PASSWORD_ROWS, true);
    let started = Instant::now();
    direct::import_file(
        db,
        &actor,
        "bench-pw.csv",
        bytes.as_bytes(),
        Default::default(),
        false,
        &effects(),
    )
    .await
    .map_err(err)?;
    let rate = PASSWORD_ROWS as f64 / started.elapsed().as_secs_f64();
    println!(
        "import_passwords     rows={PASSWORD_ROWS} rate={rate:.1} rows/s argon2_capacity={capacity:.1} hashes/s ratio={:.0}%",
        100.0 * rate / capacity
    );

    let started = Instant::now();
    let removed = db
        .execute_unprepared(&format!(
            "DELETE FROM users WHERE username_lc LIKE 'bench-%-{run}.%'"
        ))
        .await?
        .rows_affected();
    println!(
        "import_cleanup       removed={removed} seconds={:.2}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The same kind of rows straight into `users` in one transaction, the
/// fastest way this server has: bound on SQLite's handle, or sea-orm's
/// multi-row inserts on PostgreSQL.
async fn raw_insert(db: &DatabaseConnection, prefix: &str) -> anyhow::Result<f64> {
    let started = Instant::now();
    let txn = BulkInsertTxn::begin(db).await?;
    let rows = (0..ROWS)
        .map(|i| {
            users::active_model(NewUser {
                username: format!("{prefix}.{i}"),
                email: format!("{prefix}.{i}@bench.example"),
                first_name: "Bench".into(),
                last_name: "Person".into(),
                role_id: usher_core::services::roles::USER_ROLE_ID,
                status: app::model::UserStatus::Active,
                password_hash: None,
            })
        })
        .collect();
    txn.insert_users(rows).await?;
    txn.commit().await?;
    Ok(started.elapsed().as_secs_f64())
}

/// argon2id (m=19456 KiB, t=2, p=1) hashes per second on every core.
fn argon2_capacity() -> f64 {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let plain: Vec<String> = (0..cores * 16).map(|i| format!("capacity {i}")).collect();
    let started = Instant::now();
    import::apply::hash_all(&plain);
    plain.len() as f64 / started.elapsed().as_secs_f64()
}
