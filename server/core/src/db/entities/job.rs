use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// What runs it, e.g. `users.bulk`.
    pub kind: String,
    /// JSON: what the job was asked to do.
    pub params: String,
    /// queued, running, done or failed.
    pub status: String,
    pub total: i64,
    pub processed: i64,
    pub changed: i64,
    pub skipped: i64,
    /// JSON object: reason → how many were skipped for it.
    pub skip_reasons: String,
    /// Where the next batch starts (for mass actions: the last user `seq` done).
    pub cursor: i64,
    pub error: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_by_name: String,
    pub created_ip: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// Lease of the instance running it; a job past its lease is picked up again.
    pub locked_until: Option<DateTimeUtc>,
    /// Who holds the lease: the token its claim drew.
    pub lease_token: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
