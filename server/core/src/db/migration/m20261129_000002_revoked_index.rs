//! Each instance checks every few seconds whether the CRL is current by
//! counting revoked certificates; a partial index holds only those, so the
//! count reads the revoked ones rather than every certificate.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX certificates_revoked ON certificates (revoked_at) \
                 WHERE revoked_at IS NOT NULL",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX certificates_revoked")
            .await
            .map(|_| ())
    }
}
