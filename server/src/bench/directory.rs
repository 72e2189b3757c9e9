//! The users page: timings of its query on a seeded database, next to the
//! bare SQL doing the same reads, one line per query:
//! `NAME p50=… p95=… p99=… ms raw_p95=… ms`.
use std::time::{Duration, Instant};

use app::model::user_query::{Cursor, SortKey, UserQuery};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use usher_core::db::entities::{role, user};
use usher_core::services::directory;

pub struct Case {
    pub name: &'static str,
    pub query: UserQuery,
    /// The bare statements (count, rows) the page needs; `:search` in one
    /// stands for the search text, which is bound, never spliced in.
    pub raw: Vec<String>,
    pub search: Option<String>,
}

/// Where a case's statement takes the search text.
const SEARCH: &str = ":search";

/// `sql` as a statement, with the search text bound where `:search` is.
fn statement(backend: DbBackend, sql: &str, search: Option<&str>) -> Statement {
    match search.filter(|_| sql.contains(SEARCH)) {
        Some(text) => {
            let marker = if backend == DbBackend::Postgres {
                "$1"
            } else {
                "?1"
            };
            Statement::from_sql_and_values(backend, sql.replace(SEARCH, marker), [text.into()])
        }
        None => Statement::from_string(backend, sql.to_string()),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

pub fn uuid_literal(backend: DbBackend, id: uuid::Uuid) -> String {
    match backend {
        DbBackend::Postgres => format!("'{id}'::uuid"),
        _ => format!("X'{}'", id.simple()),
    }
}

pub async fn cases(db: &DatabaseConnection, fragment: &str) -> anyhow::Result<Vec<Case>> {
    let backend = db.get_database_backend();
    let pg = backend == DbBackend::Postgres;
    // The statements `directory::page` issues, written out by hand.
    let total_sql = if pg {
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM user_counts".to_string()
    } else {
        "SELECT COUNT(*) FROM users".to_string()
    };

    // The row that ends page 9,999 (10 per page): page 10,000 starts after it.
    let deep = user::Entity::find()
        .order_by_asc(user::Column::UsernameLc)
        .order_by_asc(user::Column::Seq)
        .offset(99_989)
        .limit(1)
        .one(db)
        .await?
        .ok_or_else(|| {
            anyhow::anyhow!("seed at least 100,000 users first (usher seed --users 1000000)")
        })?;
    let helpdesk = role::Entity::find()
        .filter(role::Column::Name.eq("Helpdesk"))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no Helpdesk role: run usher seed first"))?;

    let last_login_order = match backend {
        DbBackend::Postgres => "last_login_at DESC NULLS LAST, seq DESC",
        _ => "last_login_at DESC, seq DESC",
    };
    let search_where = match backend {
        DbBackend::Postgres => {
            format!("(username_lc || ' ' || email_lc || ' ' || name_lc) LIKE {SEARCH}")
        }
        _ => format!("seq IN (SELECT rowid FROM users_search WHERE users_search MATCH {SEARCH})"),
    };
    // The text as each back-end's search takes it (an FTS5 phrase quotes
    // itself, with its own quotes doubled).
    let search_text = match backend {
        DbBackend::Postgres => format!("%{}%", fragment.to_lowercase()),
        _ => format!("\"{}\"", fragment.to_lowercase().replace('"', "\"\"")),
    };
    let role = uuid_literal(backend, helpdesk.id);
    // "active" is common, so `directory` filters it on the rows of the role
    // index (a rare status would go through `user_states`).
    let role_where = format!("status = 'active' AND role_id = {role}");
    let v = deep.username_lc.replace('\'', "''");
    // Every page also names the rows' role and groups: two small look-ups.
    let names = [
        "SELECT * FROM roles".to_string(),
        "SELECT gm.user_id, g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id \
         WHERE gm.user_id IN (SELECT id FROM users ORDER BY username_lc, seq LIMIT 10)"
            .to_string(),
    ];
    let cases = vec![
        Case {
            name: "first_page",
            search: None,
            query: UserQuery::default(),
            raw: vec![
                total_sql.clone(),
                "SELECT * FROM users ORDER BY username_lc, seq LIMIT 11".into(),
            ],
        },
        Case {
            name: "page_10000",
            search: None,
            query: UserQuery {
                page: 10_000,
                cursor: Some(Cursor::After(deep.seq)),
                ..Default::default()
            },
            raw: vec![
                total_sql.clone(),
                format!("SELECT * FROM users WHERE seq = {}", deep.seq),
                format!(
                    "SELECT * FROM users WHERE (username_lc, seq) > ('{v}', {}) \
                     ORDER BY username_lc, seq LIMIT 11",
                    deep.seq
                ),
            ],
        },
        Case {
            name: "sort_last_login",
            search: None,
            query: UserQuery {
                sort: SortKey::LastLogin,
                descending: true,
                ..Default::default()
            },
            raw: vec![
                total_sql.clone(),
                format!("SELECT * FROM users ORDER BY {last_login_order} LIMIT 11"),
            ],
        },
        Case {
            name: "search_fragment",
            search: Some(search_text.clone()),
            query: UserQuery {
                search: fragment.to_string(),
                ..Default::default()
            },
            raw: vec![
                if pg {
                    format!("SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE {search_where} LIMIT 10001) t")
                } else {
                    format!("SELECT COUNT(*) FROM users_search WHERE users_search MATCH {SEARCH}")
                },
                format!(
                    "SELECT * FROM users WHERE {search_where} ORDER BY username_lc, seq LIMIT 11"
                ),
            ],
        },
        Case {
            name: "filter_status_role",
            search: None,
            query: UserQuery {
                status: Some(app::model::UserStatus::Active),
                role: Some(helpdesk.id.to_string()),
                ..Default::default()
            },
            raw: vec![
                if pg {
                    format!(
                        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM user_counts \
                         WHERE {role_where}"
                    )
                } else {
                    format!("SELECT COUNT(*) FROM users WHERE {role_where}")
                },
                format!(
                    "SELECT * FROM users WHERE {role_where} ORDER BY username_lc, seq LIMIT 11"
                ),
            ],
        },
    ];
    Ok(cases
        .into_iter()
        .map(|mut c| {
            if pg && c.query.status.is_some() {
                // How common the status is, to choose the plan.
                c.raw
                    .push(format!("SELECT * FROM user_counts WHERE role_id = {role}"));
            }
            c.raw.extend(names.iter().cloned());
            c
        })
        .collect())
}

pub async fn time<F, Fut>(iterations: usize, mut f: F) -> anyhow::Result<Vec<Duration>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    for _ in 0..3 {
        f().await?;
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        f().await?;
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok(samples)
}

pub async fn pages(
    db: &DatabaseConnection,
    iterations: usize,
    fragment: &str,
) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    for case in cases(db, fragment).await? {
        let page = time(iterations, || async {
            directory::page(db, &case.query)
                .await
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
            Ok(())
        })
        .await?;
        let raw = time(iterations, || async {
            for sql in &case.raw {
                db.query_all_raw(statement(backend, sql, case.search.as_deref()))
                    .await?;
            }
            Ok(())
        })
        .await?;
        println!(
            "{:<20} p50={:.2} p95={:.2} p99={:.2} ms raw_p95={:.2} ms",
            case.name,
            percentile(&page, 0.50),
            percentile(&page, 0.95),
            percentile(&page, 0.99),
            percentile(&raw, 0.95),
        );
    }
    Ok(())
}
