//! A lease names its holder: a job or an outbox mail is claimed with a new
//! random token, and only the holder of that token may renew, advance or
//! finish it. (The lease's end alone could not tell a slow runner from the
//! one that took the lease over after it ran out.)
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["jobs", "mail_outbox"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .add_column(
                        ColumnDef::new(Alias::new("lease_token"))
                            .string_len(36)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .drop_column(Alias::new("lease_token"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
