//! The audit log: who did what to whom, and whether it worked.
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, NotSet, Set};
use uuid::Uuid;

use crate::db::entities::audit_event;

/// What an audit event records about a user, named once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    UserCreate,
    UserUpdate,
    UserActivate,
    UserDeactivate,
    UserDelete,
    UserInvite,
    UserPasswordSet,
    UserRecoverySent,
    /// An act the delegated-administration rules refused.
    AccessRefused,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::UserCreate => "user.create",
            AuditAction::UserUpdate => "user.update",
            AuditAction::UserActivate => "user.activate",
            AuditAction::UserDeactivate => "user.deactivate",
            AuditAction::UserDelete => "user.delete",
            AuditAction::UserInvite => "user.invite",
            AuditAction::UserPasswordSet => "user.password_set",
            AuditAction::UserRecoverySent => "user.recovery_sent",
            AuditAction::AccessRefused => "access.refused",
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<&'a str>,
    pub target_kind: Option<&'a str>,
    pub target_id: Option<String>,
    pub target_name: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub success: bool,
    pub details: Option<serde_json::Value>,
}

/// A successful change an admin made to one user, role or group: `kind`,
/// id and name of the target, and a before/after summary in `details`.
pub async fn record_change(
    db: &impl ConnectionTrait,
    actor: &super::actor::Actor,
    action: &str,
    (kind, id, name): (&str, String, &str),
    details: Option<serde_json::Value>,
) -> Result<(), shared::AppError> {
    record(
        db,
        Event {
            action,
            actor_id: Some(actor.id),
            actor_name: Some(&actor.username),
            target_kind: Some(kind),
            target_id: Some(id),
            target_name: Some(name),
            ip: actor.ip.as_deref(),
            success: true,
            details,
        },
    )
    .await
    .map_err(super::db_error)
}

/// A change `actor` made to one user, as a row for `insert_rows` (mass
/// actions and imports write many at once).
pub fn user_change_row(
    actor: &super::actor::Actor,
    action: &str,
    (user_id, username): (Uuid, &str),
    details: serde_json::Value,
    at: chrono::DateTime<chrono::Utc>,
) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        id: NotSet,
        occurred_at: Set(at),
        actor_id: Set(Some(actor.id)),
        actor_name: Set(Some(actor.username.clone())),
        action: Set(action.into()),
        target_kind: Set(Some("user".into())),
        target_id: Set(Some(user_id.to_string())),
        target_name: Set(Some(username.to_string())),
        ip: Set(actor.ip.clone()),
        success: Set(true),
        details: Set(Some(details.to_string())),
    }
}

/// Inserts audit rows 1,000 per statement: SQLite allows 32,766 bound values.
pub async fn insert_rows(
    db: &impl ConnectionTrait,
    rows: &[audit_event::ActiveModel],
) -> Result<(), DbErr> {
    use sea_orm::EntityTrait;
    for chunk in rows.chunks(1_000) {
        audit_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

pub async fn record(db: &impl ConnectionTrait, event: Event<'_>) -> Result<(), DbErr> {
    audit_event::ActiveModel {
        id: NotSet,
        occurred_at: Set(chrono::Utc::now()),
        actor_id: Set(event.actor_id),
        actor_name: Set(event.actor_name.map(str::to_string)),
        action: Set(event.action.to_string()),
        target_kind: Set(event.target_kind.map(str::to_string)),
        target_id: Set(event.target_id),
        target_name: Set(event.target_name.map(str::to_string)),
        ip: Set(event.ip.map(str::to_string)),
        success: Set(event.success),
        details: Set(event.details.map(|d| d.to_string())),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The audit log, newest first, 50 a page, with the log page's filters.
pub async fn list(
    db: &impl ConnectionTrait,
    q: &shared::model::AuditQuery,
) -> Result<shared::model::AuditPage, DbErr> {
    page_of(db, q, 50).await
}

/// The whole filtered log as CSV (newest first), sent in chunks of a page
/// each: time, actor, action, event (the sentence), target, IP, success,
/// details. Returns how many events were written.
pub async fn stream_csv(
    db: &impl ConnectionTrait,
    q: &shared::model::AuditQuery,
    tx: tokio::sync::mpsc::Sender<Vec<u8>>,
) -> Result<u64, DbErr> {
    let csv_error = |e: csv::Error| DbErr::Custom(e.to_string());
    let mut q = q.clone();
    let mut written = 0;
    let mut header = true;
    loop {
        let page = page_of(db, &q, 1000).await?;
        let mut out = csv::Writer::from_writer(Vec::new());
        if header {
            out.write_record([
                "time", "actor", "action", "event", "target", "ip", "success", "details",
            ])
            .map_err(csv_error)?;
            header = false;
        }
        for e in &page.entries {
            out.write_record([
                e.at.as_str(),
                e.actor.as_deref().unwrap_or(""),
                e.action.as_str(),
                e.sentence().as_str(),
                e.target.as_deref().unwrap_or(""),
                e.ip.as_deref().unwrap_or(""),
                if e.success { "true" } else { "false" },
                e.details.as_deref().unwrap_or(""),
            ])
            .map_err(csv_error)?;
        }
        written += page.entries.len() as u64;
        let chunk = out.into_inner().map_err(|e| DbErr::Custom(e.to_string()))?;
        if tx.send(chunk).await.is_err() {
            // The client went away: nothing more to send.
            return Ok(written);
        }
        match page.next_before {
            Some(before) => q.before = Some(before),
            None => return Ok(written),
        }
    }
}

async fn page_of(
    db: &impl ConnectionTrait,
    q: &shared::model::AuditQuery,
    size: u64,
) -> Result<shared::model::AuditPage, DbErr> {
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let page = size;
    let day = |d: &str| {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
    };
    let mut c = Condition::all();
    if !q.actor.is_empty() {
        c = c.add(audit_event::Column::ActorName.eq(q.actor.clone()));
    }
    if !q.action.is_empty() {
        c = c.add(audit_event::Column::Action.starts_with(q.action.clone()));
    }
    if !q.target.is_empty() {
        c = c.add(audit_event::Column::TargetName.eq(q.target.clone()));
    }
    if let Some(from) = q.from.as_deref().and_then(day) {
        c = c.add(audit_event::Column::OccurredAt.gte(from));
    }
    if let Some(to) = q.to.as_deref().and_then(day) {
        c = c.add(audit_event::Column::OccurredAt.lt(to + chrono::Duration::days(1)));
    }
    if let Some(before) = q.before {
        c = c.add(audit_event::Column::Id.lt(before));
    }
    let mut rows = audit_event::Entity::find()
        .filter(c)
        .order_by_desc(audit_event::Column::Id)
        .limit(page + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > page;
    rows.truncate(page as usize);
    let next_before = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(shared::model::AuditPage {
        entries: rows
            .into_iter()
            .map(|e| shared::model::AuditEntry {
                id: e.id,
                at: e.occurred_at.to_rfc3339(),
                actor: e.actor_name,
                action: e.action,
                target: e.target_name.map(|n| match e.target_kind {
                    Some(kind) => format!("{kind} {n}"),
                    None => n,
                }),
                ip: e.ip,
                success: e.success,
                details: e.details,
            })
            .collect(),
        next_before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestDb;
    use shared::model::AuditQuery;

    #[tokio::test]
    async fn filters_and_pages_newest_first() {
        let t = TestDb::new().await;
        for i in 0..60 {
            let action = if i % 2 == 0 {
                "user.update"
            } else {
                "auth.sign_in"
            };
            let target = format!("user{}", i % 3);
            record(
                &t.db,
                Event {
                    action,
                    actor_name: Some("root"),
                    target_name: Some(&target),
                    target_kind: Some("user"),
                    success: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        let first = list(&t.db, &AuditQuery::default()).await.unwrap();
        assert_eq!(first.entries.len(), 50);
        assert!(first.entries[0].id > first.entries[1].id);
        let rest = list(
            &t.db,
            &AuditQuery {
                before: first.next_before,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!((rest.entries.len(), rest.next_before), (10, None));
        let updates = list(
            &t.db,
            &AuditQuery {
                action: "user.".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(updates.entries.len(), 30);
        let one = list(
            &t.db,
            &AuditQuery {
                target: "user1".into(),
                action: "auth".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(one.entries.len(), 10);
        assert_eq!(one.entries[0].target.as_deref(), Some("user user1"));
        assert!(list(
            &t.db,
            &AuditQuery {
                to: Some("2000-01-01".into()),
                ..Default::default()
            }
        )
        .await
        .unwrap()
        .entries
        .is_empty());
        // The export: every matching event across pages, as sentences.
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let query = AuditQuery {
            action: "user.update".into(),
            ..Default::default()
        };
        let written = stream_csv(&t.db, &query, tx).await.unwrap();
        assert_eq!(written, 30);
        let mut text = String::new();
        while let Some(chunk) = rx.recv().await {
            text.push_str(&String::from_utf8(chunk).unwrap());
        }
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 31, "a header and 30 events");
        assert!(lines[0].starts_with("time,actor,action,event,"));
        assert!(
            lines[1].contains(",user.update,root changed user user"),
            "{}",
            lines[1]
        );
        t.close().await;
    }
}
