//! `usher bench --only signin`: 500 sign-ins at once through the sign-in
//! service (argon2id verification, session, audit), with the process's
//! resident memory before, at its peak and after, and the rate against
//! argon2id's capacity on all cores.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use usher_core::db::entities::{session, user};
use usher_core::services::{auth, passwords, settings, users};

const AT_ONCE: usize = 500;
const PASSWORD: &str = "bench sign-in passphrase";

/// The resident set, in kB.
fn rss_kb() -> u64 {
    super::memory::proc_status_kb("VmRSS:")
}

pub async fn run(db: &DatabaseConnection) -> anyhow::Result<()> {
    let name = format!("bench.signin.{}", chrono::Utc::now().timestamp_millis());
    let hash = passwords::hash(PASSWORD.into())
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let who = users::insert(
        db,
        users::NewUser {
            username: name.clone(),
            email: format!("{name}@bench.invalid"),
            first_name: "Bench".into(),
            last_name: "Sign-in".into(),
            role_id: usher_core::services::roles::USER_ROLE_ID,
            status: app::model::UserStatus::Active,
            password_hash: Some(hash),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let policy = settings::session_policy(db).await?;

    // argon2id's capacity: hashes through the same bounded slots, all
    // cores busy, long enough to even out.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let started = Instant::now();
    let hashes = 16 * cores;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..hashes {
        set.spawn(passwords::hash(PASSWORD.into()));
    }
    while set.join_next().await.is_some() {}
    let capacity = hashes as f64 / started.elapsed().as_secs_f64();

    let before = rss_kb();
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut peak = 0;
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(rss_kb());
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            peak
        })
    };
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..AT_ONCE {
        let (db, name) = (db.clone(), name.clone());
        set.spawn(async move {
            // Each from its own address, as many clients would be.
            let ip = format!("10.{}.{}.1", i / 250, i % 250);
            let attempt = auth::SignIn {
                login: &name,
                password: PASSWORD,
                ip: Some(&ip),
                user_agent: Some("usher bench"),
            };
            auth::sign_in(&db, policy, attempt).await.is_ok()
        });
    }
    let mut ok = 0;
    while let Some(done) = set.join_next().await {
        ok += usize::from(done.unwrap_or(false));
    }
    let seconds = started.elapsed().as_secs_f64();
    sampling.store(false, Ordering::Relaxed);
    let peak = sampler.await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kb();
    println!(
        "sign_in_flood        concurrent={AT_ONCE} ok={ok} seconds={seconds:.2} rate={:.1}/s argon2_capacity={capacity:.1}/s ({:.0} %) rss_before={:.1} MB rss_peak={:.1} MB rss_after={:.1} MB",
        ok as f64 / seconds,
        100.0 * ok as f64 / seconds / capacity,
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        after as f64 / 1024.0,
    );
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(who.id))
        .exec(db)
        .await?;
    user::Entity::delete_many()
        .filter(user::Column::Id.eq(who.id))
        .exec(db)
        .await?;
    Ok(())
}
