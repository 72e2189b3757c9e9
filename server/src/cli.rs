//! `usher` and its sub-commands.
use std::io::BufRead;

use clap::{Parser, Subcommand};

use usher_core::config::Config;
use usher_core::services::{seed, setup};

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
    /// Time the users-page queries on a seeded database (p50/p95/p99).
    Bench {
        #[arg(long, default_value_t = 200)]
        iterations: usize,
        /// The name fragment to search for.
        #[arg(long, default_value = "mart")]
        search: String,
        /// Only these parts (pages, export, import, mass); all by default.
        #[arg(long, value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(crate::bench::PARTS))]
        only: Vec<String>,
    },
    /// Add N realistic demo users (with demo roles and groups).
    Seed {
        #[arg(long, default_value_t = 100)]
        users: u64,
    },
    /// Write users as CSV to standard output (the import's columns, no
    /// passwords, plus created and last_login).
    Export {
        /// The users table's filter as a URL query, e.g. "status=active&q=mart".
        #[arg(long, default_value = "")]
        filter: String,
        /// Start with a byte-order mark, for Excel.
        #[arg(long)]
        bom: bool,
    },
    /// Import users from a CSV file (the export's columns, plus password,
    /// send_invitation and issue_certificate); ends with the counts.
    Import {
        file: std::path::PathBuf,
        /// Decide every row and report, but change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the rows that were not applied, with an `error` column, here.
        #[arg(long)]
        report: Option<std::path::PathBuf>,
        /// Create the groups that rows name and that do not exist yet.
        #[arg(long)]
        create_groups: bool,
        /// Invite new active users that would have no way to sign in (no
        /// password, invitation or certificate) instead of warning.
        #[arg(long)]
        invite_unreachable: bool,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command {
        None => crate::serve::run(config).await,
        Some(Command::Migrate) => {
            std::fs::create_dir_all(&config.data_dir)?;
            let db = usher_core::db::connect(&config.database_url).await?;
            usher_core::db::migrate(&db).await?;
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
        Some(Command::Bench {
            iterations,
            search,
            only,
        }) => {
            let state = crate::serve::prepare(config).await?;
            crate::bench::run(&state.db, iterations, &search, &only).await
        }
        Some(Command::Seed { users: count }) => {
            let state = crate::serve::prepare(config).await?;
            let started = std::time::Instant::now();
            let created = seed::seed(&state.db, count)
                .await
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
            println!(
                "seeded {created} users in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Some(Command::Export { filter, bom }) => {
            let state = crate::serve::prepare(config).await?;
            export_to_stdout(&state.db, &filter, bom).await
        }
        Some(Command::Import {
            file,
            dry_run,
            report,
            create_groups,
            invite_unreachable,
        }) => {
            let public_url = config.public_url(&config.leptos_options()?);
            let state = crate::serve::prepare(config).await?;
            import_file(
                &state,
                &file,
                dry_run,
                report.as_deref(),
                usher_core::services::import::ImportOptions {
                    create_groups,
                    invite_unreachable,
                },
                public_url,
            )
            .await
        }
    }
}

/// `usher import`: exits non-zero only when the file could not be imported
/// at all; rows with errors are counted (and written to `--report`).
async fn import_file(
    state: &usher_core::state::AppState,
    file: &std::path::Path,
    dry_run: bool,
    report: Option<&std::path::Path>,
    options: usher_core::services::import::ImportOptions,
    public_url: String,
) -> anyhow::Result<()> {
    use usher_core::services::import::{apply::Effects, direct, report as error_report};
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let actor = usher_core::services::actor::Actor {
        id: uuid::Uuid::nil(),
        username: "usher import (command line)".into(),
        ip: None,
    };
    let sign_in_url = match state.config.https_url(&state.leptos) {
        Some(url) => format!("{url}/login"),
        None => format!("{public_url}/login"),
    };
    let effects = Effects {
        public_url,
        sign_in_url,
        ca: usher_core::services::ca::load(&state.db, &state.ca_key)
            .await
            .ok(),
    };
    let name = file.display().to_string();
    let done = direct::import_file(&state.db, &actor, &name, &bytes, options, dry_run, &effects)
        .await
        .map_err(|e| anyhow::anyhow!(e.summary()))?;
    // A running server would index the new users within a second; the
    // command line may be all there is, so it leaves them indexed.
    usher_core::services::search_index::catch_up(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!(e.summary()))?;
    if let Some(path) = report {
        let csv = error_report::error_report(
            &done.table,
            &done.failures,
            &error_report::password_columns(&usher_core::services::import::columns::auto_map(
                &done.table.header,
            )),
        )
        .map_err(anyhow::Error::msg)?;
        std::fs::write(path, csv)?;
    }
    for (line, reason) in done.failures.iter().take(20) {
        eprintln!("row {line}: {reason}");
    }
    if done.failures.len() > 20 {
        eprintln!("… and {} more rows with errors", done.failures.len() - 20);
    }
    println!("{}", done.counts.summary());
    Ok(())
}

/// `usher export`: the same engine as the download, into standard output.
async fn export_to_stdout(
    db: &sea_orm::DatabaseConnection,
    filter: &str,
    bom: bool,
) -> anyhow::Result<()> {
    use std::io::Write;
    let selection = usher_core::services::export::Selection {
        query: app::model::UserQuery::parse(filter),
        rows: Vec::new(),
        bom,
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let writer = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        while let Some(chunk) = rx.blocking_recv() {
            out.write_all(&chunk)?;
        }
        out.flush()
    });
    let started = std::time::Instant::now();
    let written = usher_core::services::export::stream(db, &selection, tx)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    writer.await??;
    usher_core::services::audit::record(
        db,
        usher_core::services::audit::Event {
            action: "users.export",
            actor_name: Some("usher export (command line)"),
            success: true,
            details: Some(
                serde_json::json!({ "rows": written, "filter": filter, "file": "stdout" }),
            ),
            ..Default::default()
        },
    )
    .await?;
    eprintln!(
        "exported {written} users in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn read_password_from_stdin() -> anyhow::Result<String> {
    eprintln!("Password for the new administrator (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    anyhow::ensure!(!password.is_empty(), "no password given");
    Ok(password)
}
