//! `usher` and its sub-commands.
use std::io::BufRead;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::services::{setup, users};

#[derive(Parser)]
#[command(
    name = "usher",
    version,
    about = "Usher: self-hosted user administration"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Apply database migrations and exit.
    Migrate,
    /// Create an administrator (password from USHER_ADMIN_PASSWORD or standard input).
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
    },
    /// Add demo users (General users named user.00001…).
    Seed {
        #[arg(long, default_value_t = 100)]
        users: u64,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command {
        None => crate::serve::run(config).await,
        Some(Command::Migrate) => {
            std::fs::create_dir_all(&config.data_dir)?;
            let db = crate::db::connect(&config.database_url).await?;
            crate::db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Some(Command::CreateAdmin { username, email }) => {
            let password = match std::env::var("USHER_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => read_password_from_stdin()?,
            };
            let state = crate::serve::prepare(config).await?;
            match setup::create_admin(&state.db, username.trim(), email.trim(), &password).await {
                Ok(admin) => {
                    println!("created administrator {}", admin.username);
                    Ok(())
                }
                Err(app::AppError::Validation(fields)) => {
                    for f in &fields {
                        eprintln!("{}: {}", f.field, f.message);
                    }
                    anyhow::bail!("administrator not created")
                }
                Err(other) => Err(anyhow::anyhow!(other.to_string())),
            }
        }
        Some(Command::Seed { users: count }) => {
            let state = crate::serve::prepare(config).await?;
            let created = users::seed(&state.db, count)
                .await
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
            println!("seeded {created} users");
            Ok(())
        }
    }
}

fn read_password_from_stdin() -> anyhow::Result<String> {
    eprintln!("Password for the new administrator (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    anyhow::ensure!(!password.is_empty(), "no password given");
    Ok(password)
}
