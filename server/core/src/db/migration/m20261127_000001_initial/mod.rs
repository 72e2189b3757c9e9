//! The tables of the whole product: users, roles and permissions, groups,
//! sessions, one-time links, audit events, settings and the mail outbox.
use sea_orm_migration::{prelude::*, schema::*};

use crate::db::entities::role::{ADMIN_ROLE_ID, USER_ROLE_ID};

mod directory;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
    Name,
    Description,
    Builtin,
    AllPermissions,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RolePermissions {
    Table,
    RoleId,
    Permission,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Seq,
    Id,
    NameLc,
    TotpEnabled,
    Username,
    UsernameLc,
    Email,
    EmailLc,
    FirstName,
    LastName,
    Phone,
    Status,
    Origin,
    RoleId,
    PasswordHash,
    MustChangePassword,
    PasswordChangedAt,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    CreatedBy,
    Id,
    Name,
    NameLc,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    GroupId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
enum OneTimeTokens {
    Table,
    Id,
    Purpose,
    UserId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    ActorId,
    ActorName,
    Action,
    TargetKind,
    TargetId,
    TargetName,
    Ip,
    Success,
    Details,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    ToAddress,
    Subject,
    Template,
    BodyText,
    BodyHtml,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    LockedUntil,
    CreatedAt,
    SentAt,
}

fn index(name: &str, table: impl IntoIden, columns: Vec<DynIden>) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for column in columns {
        stmt.col(column);
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Roles::Table)
                .col(uuid(Roles::Id).primary_key())
                .col(string_uniq(Roles::Name))
                .col(text(Roles::Description))
                .col(boolean(Roles::Builtin))
                .col(boolean(Roles::AllPermissions))
                .col(timestamp_with_time_zone(Roles::CreatedAt))
                .col(timestamp_with_time_zone(Roles::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RolePermissions::Table)
                .col(uuid(RolePermissions::RoleId))
                .col(string(RolePermissions::Permission))
                .primary_key(
                    Index::create()
                        .col(RolePermissions::RoleId)
                        .col(RolePermissions::Permission),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RolePermissions::Table, RolePermissions::RoleId)
                        .to(Roles::Table, Roles::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                // An integer key keeps rows in a stable order for keyset paging
                // and search indexes; the uuid is the id everything else uses.
                .col(big_pk_auto(Users::Seq))
                .col(uuid_uniq(Users::Id))
                .col(string(Users::Username))
                .col(string_uniq(Users::UsernameLc))
                .col(string(Users::Email))
                .col(string_uniq(Users::EmailLc))
                .col(string(Users::FirstName))
                .col(string(Users::LastName))
                .col(string(Users::NameLc))
                .col(boolean(Users::TotpEnabled).default(false))
                .col(string_null(Users::Phone))
                .col(string(Users::Status))
                .col(string(Users::Origin))
                .col(uuid(Users::RoleId))
                .col(text_null(Users::PasswordHash))
                .col(boolean(Users::MustChangePassword))
                .col(timestamp_with_time_zone_null(Users::PasswordChangedAt))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .col(timestamp_with_time_zone_null(Users::LastLoginAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::RoleId)
                        .to(Roles::Table, Roles::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        directory::create(m).await?;

        m.create_table(
            Table::create()
                .table(Groups::Table)
                .col(uuid(Groups::Id).primary_key())
                .col(string(Groups::Name))
                .col(string_uniq(Groups::NameLc))
                .col(text(Groups::Description))
                .col(uuid_null(Groups::CreatedBy))
                .col(timestamp_with_time_zone(Groups::CreatedAt))
                .col(timestamp_with_time_zone(Groups::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(GroupMembers::Table)
                .col(uuid(GroupMembers::GroupId))
                .col(uuid(GroupMembers::UserId))
                .col(timestamp_with_time_zone(GroupMembers::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(GroupMembers::GroupId)
                        .col(GroupMembers::UserId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(GroupMembers::Table, GroupMembers::GroupId)
                        .to(Groups::Table, Groups::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(GroupMembers::Table, GroupMembers::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "group_members_user",
            GroupMembers::Table,
            vec![GroupMembers::UserId.into_iden()],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string(Sessions::Id).primary_key())
                .col(uuid(Sessions::UserId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(string_null(Sessions::Ip))
                .col(text_null(Sessions::UserAgent))
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "sessions_user",
            Sessions::Table,
            vec![Sessions::UserId.into_iden()],
        ))
        .await?;
        m.create_index(index(
            "sessions_expires",
            Sessions::Table,
            vec![Sessions::ExpiresAt.into_iden()],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(OneTimeTokens::Table)
                .col(string(OneTimeTokens::Id).primary_key())
                .col(string(OneTimeTokens::Purpose))
                .col(uuid_null(OneTimeTokens::UserId))
                .col(timestamp_with_time_zone(OneTimeTokens::CreatedAt))
                .col(timestamp_with_time_zone(OneTimeTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(OneTimeTokens::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(OneTimeTokens::Table, OneTimeTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "one_time_tokens_purpose_user",
            OneTimeTokens::Table,
            vec![
                OneTimeTokens::Purpose.into_iden(),
                OneTimeTokens::UserId.into_iden(),
            ],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(big_pk_auto(AuditEvents::Id))
                .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                .col(uuid_null(AuditEvents::ActorId))
                .col(string_null(AuditEvents::ActorName))
                .col(string(AuditEvents::Action))
                .col(string_null(AuditEvents::TargetKind))
                .col(string_null(AuditEvents::TargetId))
                .col(string_null(AuditEvents::TargetName))
                .col(string_null(AuditEvents::Ip))
                .col(boolean(AuditEvents::Success))
                .col(text_null(AuditEvents::Details))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "audit_events_time",
            AuditEvents::Table,
            vec![AuditEvents::OccurredAt.into_iden()],
        ))
        .await?;
        m.create_index(index(
            "audit_events_target",
            AuditEvents::Table,
            vec![AuditEvents::TargetId.into_iden()],
        ))
        .await?;
        m.create_index(index(
            "audit_events_actor",
            AuditEvents::Table,
            vec![AuditEvents::ActorId.into_iden()],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Settings::Table)
                .col(string(Settings::Key).primary_key())
                .col(text(Settings::Value))
                .col(timestamp_with_time_zone(Settings::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(MailOutbox::Table)
                .col(uuid(MailOutbox::Id).primary_key())
                .col(string(MailOutbox::ToAddress))
                .col(text(MailOutbox::Subject))
                .col(string(MailOutbox::Template))
                .col(text(MailOutbox::BodyText))
                .col(text(MailOutbox::BodyHtml))
                .col(string(MailOutbox::Status))
                .col(integer(MailOutbox::Attempts))
                .col(text_null(MailOutbox::LastError))
                .col(timestamp_with_time_zone(MailOutbox::NextAttemptAt))
                .col(timestamp_with_time_zone_null(MailOutbox::LockedUntil))
                .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                .col(timestamp_with_time_zone_null(MailOutbox::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "mail_outbox_due",
            MailOutbox::Table,
            vec![
                MailOutbox::Status.into_iden(),
                MailOutbox::NextAttemptAt.into_iden(),
            ],
        ))
        .await?;

        seed_builtin_roles(m).await
    }
}

/// The two roles every installation has: Admin (everything) and General user
/// (no console access).
async fn seed_builtin_roles(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let insert = Query::insert()
        .into_table(Roles::Table)
        .columns([
            Roles::Id,
            Roles::Name,
            Roles::Description,
            Roles::Builtin,
            Roles::AllPermissions,
            Roles::CreatedAt,
            Roles::UpdatedAt,
        ])
        .values_panic([
            ADMIN_ROLE_ID.into(),
            "Admin".into(),
            "Full access to the console.".into(),
            true.into(),
            true.into(),
            now.into(),
            now.into(),
        ])
        .values_panic([
            USER_ROLE_ID.into(),
            "General user".into(),
            "Signs in to their own account page only.".into(),
            true.into(),
            false.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    m.exec_stmt(insert).await
}
