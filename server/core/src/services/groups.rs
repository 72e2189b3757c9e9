//! Groups and memberships.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use shared::model::GroupView;
use shared::AppError;
use uuid::Uuid;

use super::actor::Actor;
use super::{audit, db_error, users};
use crate::db::entities::{group, group_member, user};

/// Every group with its member count and who created it.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<GroupView>, AppError> {
    let groups = group::Entity::find()
        .order_by_asc(group::Column::NameLc)
        .all(db)
        .await
        .map_err(db_error)?;
    let counts: Vec<(Uuid, i64)> = group_member::Entity::find()
        .select_only()
        .column(group_member::Column::GroupId)
        .expr(Expr::cust("COUNT(*)"))
        .group_by(group_member::Column::GroupId)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_error)?;
    let creators: Vec<Uuid> = groups.iter().filter_map(|g| g.created_by).collect();
    let names: Vec<(Uuid, String)> = if creators.is_empty() {
        Vec::new()
    } else {
        user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Username)
            .filter(user::Column::Id.is_in(creators))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_error)?
    };
    Ok(groups
        .into_iter()
        .map(|g| GroupView {
            id: g.id.to_string(),
            members: counts
                .iter()
                .find(|(id, _)| *id == g.id)
                .map(|(_, n)| *n as u64)
                .unwrap_or(0),
            created_by: g.created_by.and_then(|c| {
                names
                    .iter()
                    .find(|(id, _)| *id == c)
                    .map(|(_, n)| n.clone())
            }),
            created_at: g.created_at.to_rfc3339(),
            name: g.name,
            description: g.description,
        })
        .collect())
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    name: &str,
    description: &str,
) -> Result<Uuid, AppError> {
    let name = name.trim();
    check_name(db, name, None).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let txn = db.begin().await.map_err(db_error)?;
    group::ActiveModel {
        id: Set(id),
        name: Set(name.to_string()),
        name_lc: Set(name.to_lowercase()),
        description: Set(description.trim().to_string()),
        created_by: Set(Some(actor.id)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(db_error)?;
    record(&txn, actor, "group.create", id, name, None).await?;
    txn.commit().await.map_err(db_error)?;
    Ok(id)
}

/// A group name has 2–64 characters and is unique case-insensitively
/// (`except` is the group being renamed).
async fn check_name(
    db: &impl ConnectionTrait,
    name: &str,
    except: Option<Uuid>,
) -> Result<(), AppError> {
    if !(2..=64).contains(&name.chars().count()) {
        return Err(AppError::field(
            "name",
            "A group name has 2 to 64 characters.",
        ));
    }
    let exists = group::Entity::find()
        .filter(group::Column::NameLc.eq(name.to_lowercase()))
        .one(db)
        .await
        .map_err(db_error)?;
    if exists.is_some_and(|g| Some(g.id) != except) {
        return Err(AppError::field(
            "name",
            "A group with this name already exists.",
        ));
    }
    Ok(())
}

/// Renames a group or changes its description.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    name: &str,
    description: &str,
) -> Result<(), AppError> {
    let name = name.trim();
    let description = description.trim();
    let txn = db.begin().await.map_err(db_error)?;
    let found = find(&txn, id).await?;
    check_name(&txn, name, Some(id)).await?;
    let details = serde_json::json!({
        "before": { "name": found.name, "description": found.description },
        "after": { "name": name, "description": description },
    });
    let mut m: group::ActiveModel = found.into();
    m.name = Set(name.to_string());
    m.name_lc = Set(name.to_lowercase());
    m.description = Set(description.to_string());
    m.updated_at = Set(Utc::now());
    m.update(&txn).await.map_err(db_error)?;
    record(&txn, actor, "group.update", id, name, Some(details)).await?;
    txn.commit().await.map_err(db_error)
}

/// The group called `name` (any case), for the type-ahead on the user page.
/// Puts a new user into the chosen groups (one statement).
pub async fn add_memberships(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    group_ids: &[Uuid],
) -> Result<(), AppError> {
    if group_ids.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    group_member::Entity::insert_many(group_ids.iter().map(|group_id| group_member::ActiveModel {
        group_id: sea_orm::Set(*group_id),
        user_id: sea_orm::Set(user_id),
        created_at: sea_orm::Set(now),
    }))
    .exec(db)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// The role and groups an admin picked for new users (Invite users, approving
/// a request): the role, or an error naming the field that no longer fits.
pub async fn chosen_role_and_groups(
    db: &impl ConnectionTrait,
    role_id: Uuid,
    group_ids: &[Uuid],
) -> Result<crate::db::entities::role::Model, AppError> {
    use crate::db::entities::role;
    use sea_orm::PaginatorTrait;
    let role = role::Entity::find_by_id(role_id)
        .one(db)
        .await
        .map_err(db_error)?
        .ok_or_else(|| AppError::field("role", "Choose a role."))?;
    let known = group::Entity::find()
        .filter(group::Column::Id.is_in(group_ids.to_vec()))
        .count(db)
        .await
        .map_err(db_error)?;
    if known != group_ids.len() as u64 {
        return Err(AppError::field(
            "groups",
            "A chosen group no longer exists.",
        ));
    }
    Ok(role)
}

pub async fn find_by_name(db: &impl ConnectionTrait, name: &str) -> Result<Option<Uuid>, AppError> {
    Ok(group::Entity::find()
        .filter(group::Column::NameLc.eq(name.trim().to_lowercase()))
        .one(db)
        .await
        .map_err(db_error)?
        .map(|g| g.id))
}

async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<group::Model, AppError> {
    group::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)
}

/// Deletes a group and its memberships (the users stay).
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    let txn = db.begin().await.map_err(db_error)?;
    let found = find(&txn, id).await?;
    record(&txn, actor, "group.delete", id, &found.name, None).await?;
    found.delete(&txn).await.map_err(db_error)?;
    txn.commit().await.map_err(db_error)
}

/// The user page's Groups tab: `group` is an id (the remove buttons) or a
/// name (the type-ahead).
pub async fn set_member_of(
    db: &DatabaseConnection,
    actor: &Actor,
    group: &str,
    username: &str,
    member: bool,
) -> Result<(Uuid, String), AppError> {
    let id = match Uuid::parse_str(group) {
        Ok(id) => Some(id),
        Err(_) => find_by_name(db, group).await?,
    };
    let Some(id) = id else {
        return Err(AppError::field("group", no_such_group(db, group).await?));
    };
    set_member(db, actor, id, username, member).await?;
    let g = find(db, id).await?;
    Ok((g.id, g.name))
}

/// "No group is named “Eng”. Did you mean Engineering?": the names that
/// contain what was typed, so a partial name leads somewhere.
async fn no_such_group(db: &impl ConnectionTrait, typed: &str) -> Result<String, AppError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok("Type the name of a group.".into());
    }
    let like = format!("%{}%", typed.to_lowercase().replace(['%', '_'], ""));
    let close: Vec<String> = group::Entity::find()
        .select_only()
        .column(group::Column::Name)
        .filter(group::Column::NameLc.like(like))
        .order_by_asc(group::Column::NameLc)
        .limit(3)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_error)?;
    Ok(match close.as_slice() {
        [] => format!("No group is named “{typed}”. Choose one from the list."),
        names => format!(
            "No group is named “{typed}”. Did you mean {}?",
            names.join(" or ")
        ),
    })
}

/// Adds or removes one user's membership; adding twice or removing a
/// missing membership changes nothing.
pub async fn set_member(
    db: &DatabaseConnection,
    actor: &Actor,
    group_id: Uuid,
    username: &str,
    member: bool,
) -> Result<(), AppError> {
    let txn = db.begin().await.map_err(db_error)?;
    let g = group::Entity::find_by_id(group_id)
        .one(&txn)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)?;
    let u = users::find(&txn, username).await?;
    super::access::Authority::load(&txn, actor)
        .await?
        .may_act_on(&u)?;
    let existing = group_member::Entity::find_by_id((group_id, u.id))
        .one(&txn)
        .await
        .map_err(db_error)?;
    let action = match (member, existing) {
        (true, None) => {
            group_member::ActiveModel {
                group_id: Set(group_id),
                user_id: Set(u.id),
                created_at: Set(Utc::now()),
            }
            .insert(&txn)
            .await
            .map_err(db_error)?;
            "group.add_member"
        }
        (false, Some(m)) => {
            m.delete(&txn).await.map_err(db_error)?;
            "group.remove_member"
        }
        _ => return Ok(()),
    };
    let details = serde_json::json!({ "user": u.username });
    record(&txn, actor, action, g.id, &g.name, Some(details)).await?;
    // The user's activity shows it too.
    let details = serde_json::json!({ "group": g.name });
    audit::record_change(
        &txn,
        actor,
        action,
        ("user", u.id.to_string(), &u.username),
        Some(details),
    )
    .await?;
    txn.commit().await.map_err(db_error)
}

async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    id: Uuid,
    name: &str,
    details: Option<serde_json::Value>,
) -> Result<(), AppError> {
    audit::record_change(db, actor, action, ("group", id.to_string(), name), details).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::setup::create_admin;
    use crate::testkit::TestDb;

    #[tokio::test]
    async fn groups_and_members() {
        let t = TestDb::new().await;
        let root = create_admin(
            &t.db,
            "root.admin",
            "root@example.com",
            "a long admin passphrase",
        )
        .await
        .unwrap();
        let me = Actor {
            id: root.id,
            username: root.username.clone(),
            ip: None,
        };
        let id = create(&t.db, &me, "Engineering", "Builders").await.unwrap();
        let dup = create(&t.db, &me, "engineering", "").await;
        assert_eq!(
            dup.unwrap_err().field_message("name").as_deref(),
            Some("A group with this name already exists.")
        );
        // Rename and describe; another group's name is refused in any case.
        let other = create(&t.db, &me, "Security", "").await.unwrap();
        update(&t.db, &me, id, "Platform", "Keeps things running")
            .await
            .unwrap();
        let clash = update(&t.db, &me, other, "PLATFORM", "").await;
        assert!(clash.unwrap_err().field_message("name").is_some());
        assert_eq!(find_by_name(&t.db, "platform").await.unwrap(), Some(id));
        delete(&t.db, &me, other).await.unwrap();
        set_member(&t.db, &me, id, "root.admin", true)
            .await
            .unwrap();
        set_member(&t.db, &me, id, "root.admin", true)
            .await
            .unwrap();
        let view = list(&t.db).await.unwrap();
        assert_eq!(
            (view[0].members, view[0].created_by.as_deref()),
            (1, Some("root.admin"))
        );
        set_member(&t.db, &me, id, "root.admin", false)
            .await
            .unwrap();
        assert_eq!(list(&t.db).await.unwrap()[0].members, 0);
        // The Groups tab's type-ahead: a whole name in any case adds and
        // names the group; part of a name says which groups were meant.
        let added = set_member_of(&t.db, &me, "PLATFORM", "root.admin", true)
            .await
            .unwrap();
        assert_eq!(added, (id, "Platform".to_string()));
        let partial = set_member_of(&t.db, &me, "plat", "root.admin", true).await;
        assert_eq!(
            partial.unwrap_err().field_message("group").as_deref(),
            Some("No group is named “plat”. Did you mean Platform?")
        );
        let unknown = set_member_of(&t.db, &me, "Finance", "root.admin", true).await;
        assert_eq!(
            unknown.unwrap_err().field_message("group").as_deref(),
            Some("No group is named “Finance”. Choose one from the list.")
        );
        set_member(&t.db, &me, id, "root.admin", false)
            .await
            .unwrap();
        delete(&t.db, &me, id).await.unwrap();
        assert!(list(&t.db).await.unwrap().is_empty());
        t.close().await;
    }
}
