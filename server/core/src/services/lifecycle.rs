//! A user's page and lifecycle: activate, deactivate, delete, with the
//! guardrails (nobody acts on themselves; the last active admin stays).
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use shared::model::{ActivityEntry, UserDetail, UserStatus};
use shared::AppError;

use super::access::{Act, AdminsLeft, Authority};
use super::actor::Actor;
use super::audit::AuditAction;
use super::transitions::Ended;
use super::users::{active_admins, find, is_active_admin};
use super::{audit, db_error, directory};
use crate::db::entities::{audit_event, user};
use crate::state::AppState;

pub async fn detail(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
) -> Result<UserDetail, AppError> {
    let row = find(db, username).await?;
    let authority = Authority::load(db, actor).await?;
    let managed = authority.may_act_on(&row).is_ok();
    // What the page may offer: the same rules the acts check.
    let reason = match authority.refusal(&row, Act::Deactivate) {
        Some(r) => Some(r.message),
        None if is_active_admin(&row) && active_admins(db).await? <= 1 => {
            Some("This is the last active administrator.".into())
        }
        None => None,
    };
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::TargetId.eq(row.id.to_string()))
        .order_by_desc(audit_event::Column::Id)
        .limit(50)
        .all(db)
        .await
        .map_err(db_error)?;
    let status = UserStatus::parse(&row.status).unwrap_or(UserStatus::Inactive);
    let summary = directory::summaries(db, vec![row.clone()]).await?.remove(0);
    let invited_at = if status == UserStatus::Invited {
        super::invitations::latest_sent(db, row.id).await?
    } else {
        None
    };
    let working_certificates = super::certificates::working_count(
        db,
        sea_orm::Condition::all().add(user::Column::Id.eq(row.id)),
    )
    .await?;
    Ok(UserDetail {
        working_certificates,
        invited_at: invited_at.map(|t| t.to_rfc3339()),
        user: summary,
        must_change_password: row.must_change_password,
        password_changed_at: row.password_changed_at.map(|t| t.to_rfc3339()),
        updated_at: row.updated_at.to_rfc3339(),
        activity: events
            .into_iter()
            .map(|e| ActivityEntry {
                at: e.occurred_at.to_rfc3339(),
                actor: e.actor_name,
                action: e.action,
                success: e.success,
                details: e.details,
            })
            .collect(),
        can_deactivate: reason.is_none() && status == UserStatus::Active,
        can_activate: status == UserStatus::Inactive && row.id != actor.id && managed,
        can_delete: reason.is_none(),
        can_manage: managed,
        guard_reason: reason,
    })
}

/// Activates or deactivates; deactivation ends all the user's sessions at
/// once and revokes their certificates, and the new CRL is published.
/// Returns what the change ended, for the acknowledgement.
pub async fn set_active(
    state: &AppState,
    actor: &Actor,
    username: &str,
    active: bool,
) -> Result<Ended, AppError> {
    let act = if active {
        Act::Activate
    } else {
        Act::Deactivate
    };
    let ended = transition(&state.db, actor, username, act).await?;
    if ended.certificates > 0 {
        state.publish_crl().await;
    }
    Ok(ended)
}

/// Deletes the user; their certificates are revoked and the CRL published.
pub async fn delete(state: &AppState, actor: &Actor, username: &str) -> Result<Ended, AppError> {
    let ended = transition(&state.db, actor, username, Act::Delete).await?;
    state.publish_crl().await;
    Ok(ended)
}

/// One user's transition: the rules of `access`, then `transitions::apply`.
async fn transition(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
    act: Act,
) -> Result<Ended, AppError> {
    let txn = db.begin().await.map_err(db_error)?;
    let authority = Authority::load(&txn, actor).await?;
    let row = find(&txn, username).await?;
    let permit = authority
        .permit(&txn, &row, act, &mut AdminsLeft::unknown())
        .await?;
    let inactive = row.status == UserStatus::Inactive.as_str();
    match act {
        Act::Activate if !inactive => {
            return Err(AppError::Conflict(
                "Only an inactive user can be activated.".into(),
            ))
        }
        Act::Deactivate if inactive => {
            return Err(AppError::Conflict("This user is already inactive.".into()))
        }
        _ => {}
    }
    let ended = super::transitions::apply(&txn, actor, &[permit], None)
        .await
        .map_err(db_error)?;
    txn.commit().await.map_err(db_error)?;
    Ok(ended)
}

/// "Edit": every field but the username.
#[derive(Debug, Clone)]
pub struct UserEdit {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub role_id: uuid::Uuid,
    pub external: bool,
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
    changes: UserEdit,
) -> Result<(), AppError> {
    use shared::error::FieldError;
    use shared::validation::{self, NewUserInput};
    let txn = db.begin().await.map_err(db_error)?;
    let authority = Authority::load(&txn, actor).await?;
    let row = find(&txn, username).await?;
    authority.may_act_on(&row)?;
    let input = NewUserInput {
        username: row.username.clone(),
        first_name: changes.first_name.clone(),
        last_name: changes.last_name.clone(),
        email: changes.email.trim().to_string(),
        phone: changes.phone.clone(),
        password: String::new(),
        invite: true,
    };
    // The username is not changed here, so only the field rules apply.
    let mut errors = validation::new_user(&input, &Default::default());
    let email_lc = input.email.to_lowercase();
    if !errors.iter().any(|e| e.field == "email")
        && email_lc != row.email_lc
        && super::users::email_taken(&txn, &email_lc).await?
    {
        errors.push(FieldError {
            field: "email".into(),
            message: "An account with this email already exists.".into(),
        });
    }
    super::roles::chosen(&txn, changes.role_id, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    // A new role passes the same rules as "Set role" (yourself, the ceiling,
    // the last active Admin).
    if changes.role_id != row.role_id {
        authority
            .permit(
                &txn,
                &row,
                Act::SetRole(changes.role_id),
                &mut AdminsLeft::unknown(),
            )
            .await?;
    }
    let email_changed = email_lc != row.email_lc;
    let before = serde_json::json!({
        "first_name": row.first_name, "last_name": row.last_name, "email": row.email,
        "phone": row.phone, "role_id": row.role_id, "origin": row.origin,
    });
    let mut m: user::ActiveModel = row.clone().into();
    let first = changes.first_name.trim().to_string();
    let last = changes.last_name.trim().to_string();
    m.name_lc = Set(super::users::name_key(&first, &last));
    m.first_name = Set(first);
    m.last_name = Set(last);
    m.email = Set(input.email.clone());
    m.email_lc = Set(email_lc);
    m.phone = Set(validation::normalize_phone(&changes.phone));
    m.role_id = Set(changes.role_id);
    m.origin = Set(if changes.external {
        "external"
    } else {
        "internal"
    }
    .into());
    m.updated_at = Set(Utc::now());
    let after = m.clone().update(&txn).await.map_err(db_error)?;
    if email_changed {
        // A link mailed to the old address must not outlive the change.
        super::links::end_every(&txn, row.id)
            .await
            .map_err(db_error)?;
    }
    record(
        &txn,
        actor,
        AuditAction::UserUpdate.as_str(),
        &row,
        serde_json::json!({
            "before": before,
            "after": {
                "first_name": after.first_name, "last_name": after.last_name, "email": after.email,
                "phone": after.phone, "role_id": after.role_id, "origin": after.origin,
            },
        }),
    )
    .await?;
    txn.commit().await.map_err(db_error)
}

async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    target: &user::Model,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let target = ("user", target.id.to_string(), target.username.as_str());
    audit::record_change(db, actor, action, target, Some(details)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::roles::ADMIN_ROLE_ID;
    use crate::services::sessions;
    use crate::services::settings::SessionPolicy;
    use crate::testkit::{actor_for, add_root, add_user, TestDb};

    async fn person(db: &DatabaseConnection, name: &str) -> user::Model {
        add_user(db, name, UserStatus::Active).await
    }

    #[tokio::test]
    async fn guardrails() {
        let t = TestDb::new().await;
        let root = add_root(&t.db).await;
        let me = actor_for(&root);
        // Not yourself, and not the last active admin.
        let own = set_active(&t.state(), &me, "root.admin", false).await;
        assert!(matches!(own, Err(AppError::Conflict(m)) if m.contains("your own")));
        assert!(matches!(
            delete(&t.state(), &me, "root.admin").await,
            Err(AppError::Conflict(_))
        ));
        let helper = person(&t.db, "helper").await;
        let mut promote: user::ActiveModel = helper.clone().into();
        promote.role_id = Set(ADMIN_ROLE_ID);
        promote.update(&t.db).await.unwrap();
        let other = actor_for(&helper);
        let last = set_active(&t.state(), &other, "root.admin", false).await;
        assert!(last.is_ok(), "two admins: one may deactivate the other");
        // Now root is inactive and may not act at all; helper is the last
        // active admin, whom even the command line may not delete.
        let gone = delete(&t.state(), &me, "helper").await;
        assert!(matches!(gone, Err(AppError::Refused(m)) if m.contains("not active")));
        let command_line = Actor {
            id: uuid::Uuid::nil(),
            username: "usher (command line)".into(),
            ip: None,
        };
        let refused = delete(&t.state(), &command_line, "helper").await;
        assert!(
            matches!(refused, Err(AppError::Conflict(m)) if m.contains("last active administrator"))
        );
        let view = detail(&t.db, &command_line, "helper").await.unwrap();
        assert!(!view.can_delete && !view.can_deactivate);
        t.close().await;
    }

    #[tokio::test]
    async fn edit_changes_all_but_the_username_and_guards_the_admin_role() {
        let t = TestDb::new().await;
        let root = add_root(&t.db).await;
        let me = actor_for(&root);
        person(&t.db, "pat.doe").await;
        let changes = |email: &str, role| UserEdit {
            first_name: "Patricia".into(),
            last_name: "Doe-Smith".into(),
            email: email.into(),
            phone: "+44 20 7946 0000".into(),
            role_id: role,
            external: true,
        };
        let general = super::super::roles::USER_ROLE_ID;
        update(&t.db, &me, "pat.doe", changes("pat@example.org", general))
            .await
            .unwrap();
        let pat = find(&t.db, "pat.doe").await.unwrap();
        assert_eq!(
            (
                pat.first_name.as_str(),
                pat.email.as_str(),
                pat.origin.as_str()
            ),
            ("Patricia", "pat@example.org", "external")
        );
        assert_eq!(pat.phone.as_deref(), Some("+442079460000"));
        assert_eq!(pat.name_lc, "patricia doe-smith");
        let taken = update(&t.db, &me, "pat.doe", changes("ROOT@example.com", general)).await;
        assert_eq!(
            taken.unwrap_err().field_message("email").as_deref(),
            Some("An account with this email already exists.")
        );
        let own = update(
            &t.db,
            &me,
            "root.admin",
            changes("root@example.com", general),
        )
        .await;
        assert!(matches!(own, Err(AppError::Conflict(m)) if m.contains("own role")));
        // A General user may not touch an Admin; the command line may, but
        // not demote the last active one.
        let other = actor_for(&pat);
        let above = update(
            &t.db,
            &other,
            "root.admin",
            changes("root@example.com", general),
        )
        .await;
        assert!(matches!(above, Err(AppError::Refused(m)) if m.contains("their role, Admin")));
        let command_line = Actor {
            id: uuid::Uuid::nil(),
            username: "usher (command line)".into(),
            ip: None,
        };
        let last = update(
            &t.db,
            &command_line,
            "root.admin",
            changes("root@example.com", general),
        )
        .await;
        assert!(
            matches!(last, Err(AppError::Conflict(m)) if m.contains("last active administrator"))
        );
        t.close().await;
    }

    #[tokio::test]
    async fn deactivation_ends_sessions_and_sign_in() {
        let t = TestDb::new().await;
        let root = add_root(&t.db).await;
        let me = actor_for(&root);
        let pat = person(&t.db, "pat.doe").await;
        let opened = sessions::open(&t.db, pat.id, SessionPolicy::default(), None, None)
            .await
            .unwrap();
        set_active(&t.state(), &me, "pat.doe", false).await.unwrap();
        assert!(
            sessions::resolve(&t.db, &opened.token, SessionPolicy::default(), Utc::now())
                .await
                .unwrap()
                .is_none()
        );
        let view = detail(&t.db, &me, "pat.doe").await.unwrap();
        assert_eq!(view.user.status, UserStatus::Inactive);
        assert!(view.can_activate && !view.can_deactivate);
        assert_eq!(view.activity[0].action, "user.deactivate");
        set_active(&t.state(), &me, "pat.doe", true).await.unwrap();
        assert_eq!(find(&t.db, "pat.doe").await.unwrap().status, "active");
        delete(&t.state(), &me, "pat.doe").await.unwrap();
        assert_eq!(find(&t.db, "pat.doe").await.err(), Some(AppError::NotFound));
        t.close().await;
    }
}
