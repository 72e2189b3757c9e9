use sea_orm::entity::prelude::*;

/// One uploaded CSV file and where its import stands.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub file_name: String,
    /// The file as uploaded (checked to be readable CSV).
    pub content: Vec<u8>,
    /// JSON array: the field of each column, "" when ignored.
    pub mapping: String,
    pub create_groups: bool,
    /// New active users who could not sign in are invited instead.
    pub invite_unreachable: bool,
    /// JSON array of `RowReport`: the dry run, once mapped.
    pub preview: Option<String>,
    /// JSON `OutcomeCounts` of the dry run.
    pub counts: Option<String>,
    /// The apply job, once started.
    pub job_id: Option<Uuid>,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub failed: i64,
    /// Sealed JSON of issued certificates' passwords, until fetched once.
    pub secrets: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
