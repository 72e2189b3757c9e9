use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Stable integer order for keyset paging and the search index.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The id everything else refers to.
    #[sea_orm(unique)]
    pub id: Uuid,
    /// As chosen; immutable after creation.
    pub username: String,
    /// Lower-cased copy: the case-insensitive unique key and search column.
    #[sea_orm(unique)]
    pub username_lc: String,
    pub email: String,
    #[sea_orm(unique)]
    pub email_lc: String,
    pub first_name: String,
    pub last_name: String,
    /// Lower-cased "first last", for sorting and searching by name.
    pub name_lc: String,
    /// Two-factor authentication is set up (TOTP comes in a later issue).
    pub totp_enabled: bool,
    pub phone: Option<String>,
    /// `shared::model::UserStatus::as_str`.
    pub status: String,
    /// "internal" or "external".
    pub origin: String,
    pub role_id: Uuid,
    /// argon2id PHC string; never leaves the server.
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub password_changed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::role::Entity",
        from = "Column::RoleId",
        to = "super::role::Column::Id"
    )]
    Role,
}

impl Related<super::role::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Role.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
