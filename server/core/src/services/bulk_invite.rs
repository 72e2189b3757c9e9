//! "Invite users": addresses pasted in bulk become Invited users with a
//! username taken from the address, the chosen role and groups, and an
//! invitation mail each, in one transaction.
use sea_orm::{ActiveModelTrait, DatabaseConnection, TransactionTrait};
use shared::model::{parse_addresses, InviteReport, UserStatus, MAX_INVITES};
use shared::AppError;
use uuid::Uuid;

use super::actor::Actor;
use super::users::{self, NewUser};
use super::{audit, db_error, invitations};
use crate::db::entities::user;

/// A username from an address's local part: lowercase, only the allowed
/// characters, 3 to 64 long (`jane.doe@x` → `jane.doe`).
pub fn username_from(address: &str) -> String {
    let local = address.split('@').next().unwrap_or_default().to_lowercase();
    let mut name = String::new();
    for c in local.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
            c
        } else {
            '.'
        };
        if !(c == '.' && (name.is_empty() || name.ends_with('.'))) {
            name.push(c);
        }
    }
    let mut name: String = name
        .trim_matches(['.', '-', '_'])
        .chars()
        .take(56)
        .collect();
    while name.chars().count() < 3 {
        name.push_str(if name.is_empty() { "user" } else { ".user" });
    }
    name
}

/// `base`, or `base.2`, `base.3`, … when taken (in the database or by an
/// earlier address of the same paste).
async fn free_username(
    db: &impl sea_orm::ConnectionTrait,
    base: &str,
    claimed: &[String],
) -> Result<String, AppError> {
    let mut candidate = base.to_string();
    let mut n = 1;
    while claimed.contains(&candidate) || users::username_taken(db, &candidate).await? {
        n += 1;
        candidate = format!("{base}.{n}");
    }
    Ok(candidate)
}

/// Sorts the paste out: who would be invited (and as whom), who already
/// has an account, what is not an address.
pub async fn check(
    db: &impl sea_orm::ConnectionTrait,
    text: &str,
) -> Result<InviteReport, AppError> {
    let parsed = parse_addresses(text);
    if parsed.valid.len() > MAX_INVITES {
        return Err(AppError::field(
            "addresses",
            format!(
                "At most {MAX_INVITES} addresses at once; this has {}.",
                parsed.valid.len()
            ),
        ));
    }
    if parsed.valid.is_empty() && parsed.invalid.is_empty() {
        return Err(AppError::field(
            "addresses",
            "Paste at least one email address.",
        ));
    }
    let mut report = InviteReport {
        invalid: parsed.invalid,
        repeated: parsed.repeated,
        ..Default::default()
    };
    let policy = super::policy::load(db).await.map_err(db_error)?;
    let mut claimed = Vec::new();
    for address in parsed.valid {
        if users::email_taken(db, &address).await? {
            report.existing.push(address);
            continue;
        }
        let username = free_username(db, &username_from(&address), &claimed).await?;
        // The installation's username pattern applies to these too.
        if super::policy::check_username(&policy, &username).is_err() {
            report.invalid.push(format!(
                "{address} (its username {username} does not fit the pattern)"
            ));
            continue;
        }
        claimed.push(username.clone());
        report.invited.push((address, username));
    }
    Ok(report)
}

/// What the admin chose besides the addresses.
pub struct Invite<'a> {
    pub text: &'a str,
    pub role_id: Uuid,
    pub group_ids: Vec<Uuid>,
}

/// Creates the users and sends the invitations; the report says who was
/// invited and who was not, and why.
pub async fn invite(
    db: &DatabaseConnection,
    actor: &Actor,
    request: Invite<'_>,
    public_url: &str,
) -> Result<InviteReport, AppError> {
    let role =
        super::groups::chosen_role_and_groups(db, request.role_id, &request.group_ids).await?;
    let txn = db.begin().await.map_err(db_error)?;
    super::access::Authority::load(&txn, actor)
        .await?
        .may_give(role.id)?;
    let mut report = check(&txn, request.text).await?;
    for (email, username) in &report.invited {
        let created: user::Model = users::active_model(NewUser {
            username: username.clone(),
            email: email.clone(),
            first_name: String::new(),
            last_name: String::new(),
            role_id: role.id,
            status: UserStatus::Invited,
            password_hash: None,
        })
        .insert(&txn)
        .await
        .map_err(db_error)?;
        super::groups::add_memberships(&txn, created.id, &request.group_ids).await?;
        let details = serde_json::json!({
            "after": { "email": email, "status": "invited", "role": role.name,
                       "groups": request.group_ids.len() },
            "via": "invite_users",
        });
        let target = ("user", created.id.to_string(), created.username.as_str());
        audit::record_change(&txn, actor, "user.create", target, Some(details)).await?;
        invitations::send(&txn, actor, &created, public_url).await?;
    }
    txn.commit().await.map_err(db_error)?;
    report.sent = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::entities::mail_outbox;
    use crate::testkit::{actor_for, add_root, add_user, TestDb};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

    #[test]
    fn usernames_come_from_the_address() {
        assert_eq!(username_from("Jane.Doe@example.com"), "jane.doe");
        assert_eq!(username_from("o'neil+news@example.com"), "o.neil.news");
        assert_eq!(username_from("x@example.com"), "x.user");
        assert_eq!(username_from("..__@example.com"), "user");
    }

    #[tokio::test]
    async fn invites_new_addresses_and_reports_the_rest() {
        let t = TestDb::new().await;
        let admin = add_root(&t.db).await;
        add_user(&t.db, "jane.doe", UserStatus::Active).await;
        let text =
            "jane.doe@example.org; root@example.com, nope\nnew.one@example.com new.one@example.com";
        let checked = check(&t.db, text).await.unwrap();
        assert_eq!(
            checked.invited,
            [
                ("jane.doe@example.org".to_string(), "jane.doe.2".to_string()),
                ("new.one@example.com".to_string(), "new.one".to_string()),
            ]
        );
        assert_eq!(checked.existing, ["root@example.com"]);
        assert_eq!(checked.invalid, ["nope"]);
        assert_eq!(checked.repeated, 1);
        assert!(!checked.sent);

        let request = Invite {
            text,
            role_id: crate::services::roles::USER_ROLE_ID,
            group_ids: vec![],
        };
        let done = invite(&t.db, &actor_for(&admin), request, "https://usher.test")
            .await
            .unwrap();
        assert!(done.sent);
        assert_eq!(done.invited.len(), 2);
        let invited = user::Entity::find()
            .filter(user::Column::Status.eq("invited"))
            .count(&t.db)
            .await
            .unwrap();
        assert_eq!(invited, 2);
        let mails = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::Template.eq("invitation"))
            .count(&t.db)
            .await
            .unwrap();
        assert_eq!(mails, 2);
        // Sending the same paste again invites nobody twice.
        let again = check(&t.db, text).await.unwrap();
        assert!(again.invited.is_empty());
        assert_eq!(again.existing.len(), 3);

        let empty = check(&t.db, " ; ").await.unwrap_err();
        assert!(empty.field_message("addresses").is_some());
        let many: String = (0..=MAX_INVITES)
            .map(|i| format!("p{i}@example.com "))
            .collect();
        let too_many = check(&t.db, &many).await.unwrap_err();
        assert!(too_many.field_message("addresses").is_some());
        t.close().await;
    }

    #[tokio::test]
    async fn the_username_pattern_applies_to_derived_usernames() {
        let t = TestDb::new().await;
        crate::services::settings::set_json(
            &t.db,
            crate::services::policy::USERNAME_PATTERN,
            serde_json::json!("[a-z]+\\.[a-z]+"),
        )
        .await
        .unwrap();
        let report = check(&t.db, "ann.lee@example.com, bob7@example.com")
            .await
            .unwrap();
        assert_eq!(report.invited.len(), 1);
        assert_eq!(report.invalid.len(), 1);
        assert!(report.invalid[0].contains("bob7 does not fit the pattern"));
        t.close().await;
    }
}
