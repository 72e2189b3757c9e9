//! "Add user": an admin creates one account (or invites one person) with
//! a role and groups, under every rule the form and the policy set.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use shared::model::UserStatus;
use shared::{validation, AppError};
use uuid::Uuid;

use super::actor::Actor;
use super::db_error;
use super::users::{active_model, server_checks, NewUser};
use crate::db::entities::user;

/// An admin's "Add user": the form's fields plus role, groups and state.
#[derive(Debug, Clone)]
pub struct CreateUser {
    pub input: validation::NewUserInput,
    pub role_id: Uuid,
    pub group_ids: Vec<Uuid>,
    pub external: bool,
    pub active: bool,
}

/// Creates a user after every rule of the form, uniqueness and the password
/// policy have passed; user, memberships, audit event and (for "Send an
/// invitation instead") the invitation mail in one transaction.
pub async fn create(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    req: CreateUser,
    public_url: &str,
) -> Result<user::Model, AppError> {
    use crate::db::entities::group;
    use sea_orm::TransactionTrait;
    use shared::error::FieldError;

    // Give only what you hold, before anything else is looked at.
    super::access::Authority::load(db, actor)
        .await?
        .may_give(req.role_id)?;
    let input = &req.input;
    let username = input.username.trim().to_string();
    let email = input.email.trim().to_string();
    let policy = super::policy::load(db).await.map_err(db_error)?;
    let mut errors = validation::new_user(input, &policy);
    let password = (!input.invite).then_some(input.password.as_str());
    server_checks(db, &username, &email, password, &mut errors).await?;
    let role = super::roles::chosen(db, req.role_id, &mut errors).await?;
    let known_groups = if req.group_ids.is_empty() {
        0
    } else {
        group::Entity::find()
            .filter(group::Column::Id.is_in(req.group_ids.clone()))
            .count(db)
            .await
            .map_err(db_error)?
    };
    if known_groups != req.group_ids.len() as u64 {
        errors.push(FieldError {
            field: "groups".into(),
            message: "A chosen group no longer exists.".into(),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }

    let password_hash = if input.invite {
        None
    } else {
        Some(super::passwords::hash(input.password.clone()).await?)
    };
    let status = if input.invite {
        UserStatus::Invited
    } else if req.active {
        UserStatus::Active
    } else {
        UserStatus::Inactive
    };
    let mut model = active_model(NewUser {
        username: username.clone(),
        email: email.clone(),
        first_name: input.first_name.trim().to_string(),
        last_name: input.last_name.trim().to_string(),
        role_id: req.role_id,
        status,
        password_hash,
    });
    model.phone = Set(validation::normalize_phone(&input.phone));
    model.origin = Set(if req.external { "external" } else { "internal" }.into());

    let txn = db.begin().await.map_err(db_error)?;
    let created = model.insert(&txn).await.map_err(db_error)?;
    super::groups::add_memberships(&txn, created.id, &req.group_ids).await?;
    let summary = serde_json::json!({
        "after": {
            "email": created.email,
            "status": created.status,
            "role": role.map(|r| r.name),
            "groups": req.group_ids.len(),
            "origin": created.origin,
        }
    });
    let target = ("user", created.id.to_string(), created.username.as_str());
    let action = super::audit::AuditAction::UserCreate.as_str();
    super::audit::record_change(&txn, actor, action, target, Some(summary)).await?;
    if input.invite {
        super::invitations::send(&txn, actor, &created, public_url).await?;
    }
    txn.commit().await.map_err(db_error)?;
    Ok(created)
}
