//! Delegated administration: the one place that decides who may do what to
//! whom. Every write path (user page, mass action, import, invitation,
//! access-request approval, certificates, roles) asks an [`Authority`], and
//! the functions that change a user demand the [`Permit`] it hands out, so a
//! path that skips the check does not compile.
//!
//! The rules:
//! - **Give only what you hold:** a role may be given only when the actor
//!   holds every permission it grants.
//! - **Act only on your equals or below:** a user may be changed only when
//!   their current role grants nothing the actor lacks (so only an Admin
//!   acts on an Admin).
//! - **Define only what you hold:** a role may be created or edited only with
//!   permissions the actor holds, never the actor's own role, and never one
//!   that already grants more than the actor holds.
//! - **Yourself and the last Admin:** nobody activates, deactivates, deletes
//!   or changes the role of their own account, and the last active Admin
//!   stays an active Admin.
use std::collections::{BTreeSet, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use shared::model::{Permission, UserStatus};
use shared::AppError;
use uuid::Uuid;

use super::actor::Actor;
use super::{db_error, users};
use crate::db::entities::role::ADMIN_ROLE_ID;
use crate::db::entities::{role, user};

pub type Permissions = BTreeSet<Permission>;

#[derive(Debug, Clone)]
struct RoleFacts {
    name: String,
    permissions: Permissions,
}

/// What an actor holds, read from the database when they act (never from
/// the session's copy), with every role's permissions to compare against.
#[derive(Debug, Clone)]
pub struct Authority {
    actor: Actor,
    role_id: Option<Uuid>,
    held: Permissions,
    roles: HashMap<Uuid, RoleFacts>,
}

/// Something done to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Name, email, phone, origin.
    Edit,
    Activate,
    Deactivate,
    Delete,
    SetRole(Uuid),
    /// Password, recovery mail, invitation, certificates, second factor.
    Credentials,
    /// Group memberships.
    Groups,
}

/// Why an act was refused: a short reason for counts ("your own account")
/// and a sentence for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: &'static str,
    pub message: String,
    /// The ceiling (403) rather than a guard on the state (409).
    ceiling: bool,
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        if r.ceiling {
            AppError::Refused(r.message)
        } else {
            AppError::Conflict(r.message)
        }
    }
}

pub const OUTRANKS_YOU: &str = "holds permissions you do not have";
pub const ROLE_ABOVE_YOU: &str = "the role has permissions you do not hold";
pub const YOURSELF: &str = "your own account";
pub const LAST_ADMIN: &str = "the last active administrator";

/// Proof that the act on this user passed every rule; the functions that
/// change users take it instead of a bare row.
#[derive(Debug)]
pub struct Permit<'a> {
    user: &'a user::Model,
    act: Act,
}

impl<'a> Permit<'a> {
    pub fn user(&self) -> &'a user::Model {
        self.user
    }

    pub fn act(&self) -> Act {
        self.act
    }
}

/// Active Admins left, counted once per transaction and lowered as acts that
/// remove one are permitted. On PostgreSQL the count is taken under a
/// transaction-scoped advisory lock, so two transactions removing Admins run
/// one after the other and the second counts what the first left. (SQLite
/// has one writer; a transaction that read an older count cannot commit.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminsLeft(Option<u64>);

/// The advisory lock key of "who is an active Admin" (any fixed number).
const ADMIN_LOCK: i64 = 0x5553_4845_5241_444d;

impl AdminsLeft {
    /// Counted when first needed, on the connection the change is made on.
    pub fn unknown() -> Self {
        AdminsLeft(None)
    }

    pub fn known(n: u64) -> Self {
        AdminsLeft(Some(n))
    }

    /// The count, once taken.
    pub fn count(self) -> Option<u64> {
        self.0
    }

    async fn take(&mut self, db: &impl ConnectionTrait) -> Result<bool, AppError> {
        let n = match self.0 {
            Some(n) => n,
            None => {
                lock_admins(db).await?;
                users::active_admins(db).await?
            }
        };
        if n <= 1 {
            self.0 = Some(n);
            return Ok(false);
        }
        self.0 = Some(n - 1);
        Ok(true)
    }
}

/// Serialises the transactions that may remove an active Admin (PostgreSQL).
pub async fn lock_admins(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({ADMIN_LOCK})"))
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

fn ceiling(reason: &'static str, message: String) -> Refusal {
    Refusal {
        reason,
        message,
        ceiling: true,
    }
}

fn guard(reason: &'static str, message: &str) -> Refusal {
    Refusal {
        reason,
        message: message.into(),
        ceiling: false,
    }
}

impl Authority {
    /// The actor's authority as the database has it now. An actor whose
    /// account is gone or no longer active holds nothing (a job they started
    /// fails closed). The command line (nil id) acts with every permission.
    pub async fn load(db: &impl ConnectionTrait, actor: &Actor) -> Result<Self, AppError> {
        let roles = load_roles(db).await?;
        if actor.id.is_nil() {
            return Ok(Authority {
                actor: actor.clone(),
                role_id: None,
                held: Permission::ALL.into_iter().collect(),
                roles,
            });
        }
        let me = user::Entity::find()
            .filter(user::Column::Id.eq(actor.id))
            .one(db)
            .await
            .map_err(db_error)?;
        let Some(me) = me.filter(|u| u.status == UserStatus::Active.as_str()) else {
            return Err(AppError::Refused(format!(
                "The account {} no longer exists or is not active, so it cannot act.",
                actor.username
            )));
        };
        let held = roles
            .get(&me.role_id)
            .map(|r| r.permissions.clone())
            .unwrap_or_default();
        Ok(Authority {
            actor: actor.clone(),
            role_id: Some(me.role_id),
            held,
            roles,
        })
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Holds every permission there is (the Admin role, or the command line).
    pub fn is_admin(&self) -> bool {
        Permission::ALL.iter().all(|p| self.held.contains(p))
    }

    pub fn holds(&self, permission: Permission) -> bool {
        self.held.contains(&permission)
    }

    /// `what` needs `permission`: "Creating missing groups needs …".
    pub fn require(&self, permission: Permission, what: &str) -> Result<(), AppError> {
        if self.holds(permission) {
            Ok(())
        } else {
            Err(AppError::Refused(format!(
                "{what} needs the permission \"{}\", which you do not hold.",
                permission.label()
            )))
        }
    }

    fn covers(&self, permissions: &Permissions) -> bool {
        permissions.is_subset(&self.held)
    }

    /// Give only what you hold.
    pub fn may_give(&self, role_id: Uuid) -> Result<(), Refusal> {
        match self.roles.get(&role_id) {
            Some(r) if self.covers(&r.permissions) => Ok(()),
            Some(r) => Err(ceiling(
                ROLE_ABOVE_YOU,
                format!(
                    "You cannot give the role {}: it has permissions you do not hold.",
                    r.name
                ),
            )),
            // An unknown role is the form's business ("Choose a role.").
            None => Ok(()),
        }
    }

    /// Act only on your equals or below.
    pub fn may_act_on(&self, target: &user::Model) -> Result<(), Refusal> {
        let theirs = self.roles.get(&target.role_id);
        match theirs {
            Some(r) if !self.covers(&r.permissions) => Err(ceiling(
                OUTRANKS_YOU,
                format!(
                    "You cannot change {}: their role, {}, has permissions you do not hold.",
                    target.username, r.name
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Every rule for `act` on `target`; on success the permit to do it.
    pub async fn permit<'a>(
        &self,
        db: &impl ConnectionTrait,
        target: &'a user::Model,
        act: Act,
        admins: &mut AdminsLeft,
    ) -> Result<Permit<'a>, Refusal> {
        let refusal = self.refusal(target, act);
        if let Some(r) = refusal {
            return Err(r);
        }
        if removes_admin(target, act) && !admins.take(db).await.map_err(internal)? {
            return Err(guard(LAST_ADMIN, "This is the last active administrator."));
        }
        Ok(Permit { user: target, act })
    }

    /// The rules that need no count: the ceiling and yourself.
    pub fn refusal(&self, target: &user::Model, act: Act) -> Option<Refusal> {
        if let Err(r) = self.may_act_on(target) {
            return Some(r);
        }
        let yourself = target.id == self.actor.id;
        match act {
            Act::Activate if yourself => {
                Some(guard(YOURSELF, "You cannot activate your own account."))
            }
            Act::Deactivate | Act::Delete if yourself => Some(guard(
                YOURSELF,
                "You cannot deactivate or delete your own account.",
            )),
            Act::SetRole(role) if role != target.role_id => {
                if yourself {
                    return Some(guard(YOURSELF, "You cannot change your own role."));
                }
                self.may_give(role).err()
            }
            _ => None,
        }
    }

    /// Define only what you hold: creating (`role_id` None) or editing a role.
    pub fn may_define(
        &self,
        role_id: Option<Uuid>,
        permissions: &[Permission],
    ) -> Result<(), AppError> {
        if let Some(id) = role_id {
            if Some(id) == self.role_id {
                return Err(AppError::Refused(
                    "You cannot change the role you hold yourself.".into(),
                ));
            }
            if let Some(r) = self.roles.get(&id) {
                if !self.covers(&r.permissions) {
                    return Err(AppError::Refused(format!(
                        "You cannot change the role {}: it has permissions you do not hold.",
                        r.name
                    )));
                }
            }
        }
        let missing: Vec<&str> = permissions
            .iter()
            .filter(|p| !self.holds(**p))
            .map(|p| p.as_str())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(AppError::Refused(format!(
                "You can only grant permissions you hold yourself; you do not hold {}.",
                missing.join(", ")
            )))
        }
    }

    /// The roles that grant something the actor lacks: their holders are
    /// out of the actor's reach.
    pub fn roles_above(&self) -> Vec<Uuid> {
        self.roles
            .iter()
            .filter(|(_, r)| !self.covers(&r.permissions))
            .map(|(id, _)| *id)
            .collect()
    }

    /// The roles the actor may give, for the forms' choices.
    pub fn assignable_roles(&self) -> Vec<Uuid> {
        self.roles
            .iter()
            .filter(|(_, r)| self.covers(&r.permissions))
            .map(|(id, _)| *id)
            .collect()
    }
}

fn internal(e: AppError) -> Refusal {
    guard("a database error", &e.to_string())
}

/// Whether `act` takes an active Admin away.
pub fn removes_admin(target: &user::Model, act: Act) -> bool {
    let active_admin =
        target.role_id == ADMIN_ROLE_ID && target.status == UserStatus::Active.as_str();
    active_admin
        && match act {
            Act::Deactivate | Act::Delete => true,
            Act::SetRole(role) => role != ADMIN_ROLE_ID,
            _ => false,
        }
}

async fn load_roles(db: &impl ConnectionTrait) -> Result<HashMap<Uuid, RoleFacts>, AppError> {
    let roles = role::Entity::find().all(db).await.map_err(db_error)?;
    let mut out = HashMap::with_capacity(roles.len());
    for r in roles {
        let permissions = permissions_of(db, r.id)
            .await
            .map_err(db_error)?
            .into_iter()
            .collect();
        out.insert(
            r.id,
            RoleFacts {
                name: r.name,
                permissions,
            },
        );
    }
    Ok(out)
}

/// Every permission the role grants (all of them for Admin).
pub async fn permissions_of(
    db: &impl ConnectionTrait,
    role_id: Uuid,
) -> Result<Vec<Permission>, DbErr> {
    let Some(role) = crate::db::entities::role::Entity::find_by_id(role_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    if role.all_permissions {
        return Ok(Permission::ALL.to_vec());
    }
    let rows = crate::db::entities::role_permission::Entity::find()
        .filter(crate::db::entities::role_permission::Column::RoleId.eq(role_id))
        .all(db)
        .await?;
    let granted: Vec<Permission> = rows
        .iter()
        .filter_map(|r| Permission::parse(&r.permission))
        .collect();
    // Roles saved before permissions named their needs get them here too.
    Ok(shared::model::permission::with_needed(&granted))
}

#[cfg(test)]
mod tests;
