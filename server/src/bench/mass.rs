//! Mass actions over 100,000 users, as the job worker runs them.
use std::time::Instant;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    Statement,
};

use super::directory::uuid_literal;

/// Users the mass-action timings act on.
pub const MASS: u64 = 100_000;

/// Times mass actions over 100,000 users, as the worker runs them: add to a
/// group, remove from it, deactivate and activate again (leaving the data as
/// it was, apart from the audit events).
pub async fn mass_actions(db: &DatabaseConnection) -> anyhow::Result<()> {
    use app::model::{BulkAction, BulkRequest};
    use usher_core::services::{bulk, job_kinds, jobs};
    let bench_group = |name: &'static str| async move {
        let actor = bench_actor();
        let existing = usher_core::db::entities::group::Entity::find()
            .filter(usher_core::db::entities::group::Column::NameLc.eq(name.to_lowercase()))
            .one(db)
            .await?;
        let id = match existing {
            Some(g) => g.id,
            None => usher_core::services::groups::create(db, &actor, name, "usher bench")
                .await
                .map_err(|e| anyhow::anyhow!(e.to_string()))?,
        };
        usher_core::db::entities::group_member::Entity::delete_many()
            .filter(usher_core::db::entities::group_member::Column::GroupId.eq(id))
            .exec(db)
            .await?;
        anyhow::Ok(id)
    };
    let a = bench_group("Bench A").await?;
    let b = bench_group("Bench B").await?;
    // Group A: the first 100,000 active users.
    let backend = db.get_database_backend();
    let now = match backend {
        DbBackend::Postgres => "now()",
        _ => "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')",
    };
    db.execute_raw(Statement::from_string(
        backend,
        format!(
            "INSERT INTO group_members (group_id, user_id, created_at) \
             SELECT {}, id, {now} FROM users WHERE status = 'active' ORDER BY seq LIMIT {MASS}",
            uuid_literal(backend, a)
        ),
    ))
    .await?;
    let steps = [
        ("mass_add_to_group", BulkAction::AddToGroup, a, Some(b)),
        (
            "mass_remove_from_group",
            BulkAction::RemoveFromGroup,
            b,
            Some(b),
        ),
        ("mass_deactivate", BulkAction::Deactivate, a, None),
        ("mass_activate", BulkAction::Activate, a, None),
    ];
    for (name, action, filter_group, target) in steps {
        let request = BulkRequest::parse(&format!(
            "action={}&all=1&group={filter_group}",
            action.as_str()
        ))
        .map_err(anyhow::Error::msg)?;
        let started = Instant::now();
        let target = target.map(|t| t.to_string());
        let id = bulk::start(db, &bench_actor(), &request, target.as_deref())
            .await
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        let job = jobs::claim_next(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the job was not claimable"))?;
        job_kinds::run(db, job).await?;
        let elapsed = started.elapsed().as_secs_f64();
        let done = jobs::find(db, &id.to_string())
            .await
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        println!(
            "{name:<22} users={} changed={} skipped={} status={} total={elapsed:.2} s",
            done.processed, done.changed, done.skipped, done.status
        );
    }
    Ok(())
}

fn bench_actor() -> usher_core::services::actor::Actor {
    usher_core::services::actor::Actor {
        id: uuid::Uuid::nil(),
        username: "usher-bench".into(),
        ip: None,
    }
}
