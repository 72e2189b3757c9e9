//! `usher bench`: the figures the README reports, each taken through the
//! same code path as the page or command it stands for.
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use usher_core::db::entities::user;

pub mod directory;
pub mod export;
pub mod import;
pub mod mass;
pub mod memory;
pub mod sign_in;

/// The parts of the bench `--only` can pick.
pub const PARTS: [&str; 5] = ["pages", "export", "import", "mass", "signin"];

pub async fn run(
    db: &DatabaseConnection,
    iterations: usize,
    fragment: &str,
    only: &[String],
) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    let users = user::Entity::find().count(db).await?;
    println!("backend={backend:?} users={users} iterations={iterations}");
    let part = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    if part("pages") {
        directory::pages(db, iterations, fragment).await?;
    }
    if part("export") {
        export::export_all(db).await?;
    }
    if part("import") {
        import::run(db).await?;
    }
    if users >= mass::MASS && part("mass") {
        mass::mass_actions(db).await?;
    }
    if part("signin") {
        sign_in::run(db).await?;
    }
    Ok(())
}
