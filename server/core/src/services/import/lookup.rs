//! What the row rules need from the database: the roles and groups by name,
//! and the accounts a batch of rows names.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use shared::AppError;
use uuid::Uuid;

use super::plan::{Catalog, Existing, Known, RoleChoice};
use crate::db::entities::{group, group_member, role, user};
use crate::services::{db_error, policy, roles};

/// Users looked up per statement (well under SQLite's bound-value limit).
const CHUNK: usize = 5_000;

/// Roles (with whether `allowed` covers each) and groups, by lower-cased name.
pub async fn catalog(
    db: &impl ConnectionTrait,
    authority: &crate::services::access::Authority,
    options: super::ImportOptions,
) -> Result<Catalog, AppError> {
    let mut roles_by_name = HashMap::new();
    let mut role_names = HashMap::new();
    for r in role::Entity::find().all(db).await.map_err(db_error)? {
        roles_by_name.insert(
            r.name.to_lowercase(),
            RoleChoice {
                id: r.id,
                name: r.name.clone(),
                allowed: authority.may_give(r.id).is_ok(),
            },
        );
        role_names.insert(r.id, r.name);
    }
    let mut groups = HashMap::new();
    let mut group_names = HashMap::new();
    for g in group::Entity::find().all(db).await.map_err(db_error)? {
        groups.insert(g.name_lc.clone(), (g.id, g.name.clone()));
        group_names.insert(g.id, g.name);
    }
    Ok(Catalog {
        roles: roles_by_name,
        role_names,
        groups,
        group_names,
        default_role: roles::USER_ROLE_ID,
        create_groups: options.create_groups,
        invite_unreachable: options.invite_unreachable,
        policy: policy::load(db).await.map_err(db_error)?,
    })
}

/// The accounts with these usernames, with their groups, and the owners of
/// these emails (all lower case).
pub async fn known(
    db: &impl ConnectionTrait,
    usernames: &[String],
    emails: &[String],
) -> Result<Known, DbErr> {
    let mut known = Known::default();
    let mut found = Vec::new();
    for chunk in usernames.chunks(CHUNK) {
        found.extend(
            user::Entity::find()
                .filter(user::Column::UsernameLc.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    for chunk in emails.chunks(CHUNK) {
        let owners: Vec<(String, String)> = user::Entity::find()
            .select_only()
            .columns([user::Column::EmailLc, user::Column::UsernameLc])
            .filter(user::Column::EmailLc.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        known.email_owner.extend(owners);
    }
    let mut groups: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let ids: Vec<Uuid> = found.iter().map(|u| u.id).collect();
    for chunk in ids.chunks(CHUNK) {
        for m in group_member::Entity::find()
            .filter(group_member::Column::UserId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            groups.entry(m.user_id).or_default().push(m.group_id);
        }
    }
    for user in found {
        let groups = groups.remove(&user.id).unwrap_or_default();
        known
            .by_username
            .insert(user.username_lc.clone(), Existing { user, groups });
    }
    Ok(known)
}
