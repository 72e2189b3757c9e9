//! Background jobs: mass actions now, imports next. A job is a row with its
//! progress, so any instance can show it and, after a crash, resume it from
//! its cursor once the lease of the instance that ran it has passed.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Params,
    Status,
    Total,
    Processed,
    Changed,
    Skipped,
    SkipReasons,
    Cursor,
    Error,
    CreatedBy,
    CreatedByName,
    CreatedIp,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
    LockedUntil,
}

/// The users a mass action was confirmed for, fixed when it starts.
#[derive(DeriveIden)]
enum JobItems {
    Table,
    JobId,
    Seq,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(uuid(Jobs::Id).primary_key())
                .col(string(Jobs::Kind))
                .col(text(Jobs::Params))
                .col(string(Jobs::Status))
                .col(big_integer(Jobs::Total))
                .col(big_integer(Jobs::Processed))
                .col(big_integer(Jobs::Changed))
                .col(big_integer(Jobs::Skipped))
                .col(text(Jobs::SkipReasons))
                .col(big_integer(Jobs::Cursor))
                .col(text_null(Jobs::Error))
                .col(uuid_null(Jobs::CreatedBy))
                .col(string(Jobs::CreatedByName))
                .col(string_null(Jobs::CreatedIp))
                .col(timestamp_with_time_zone(Jobs::CreatedAt))
                .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                .col(timestamp_with_time_zone_null(Jobs::FinishedAt))
                .col(timestamp_with_time_zone_null(Jobs::LockedUntil))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("jobs_status_created")
                .table(Jobs::Table)
                .col(Jobs::Status)
                .col(Jobs::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JobItems::Table)
                .col(uuid(JobItems::JobId))
                .col(big_integer(JobItems::Seq))
                .primary_key(Index::create().col(JobItems::JobId).col(JobItems::Seq))
                .foreign_key(
                    ForeignKey::create()
                        .from(JobItems::Table, JobItems::JobId)
                        .to(Jobs::Table, Jobs::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(JobItems::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Jobs::Table).to_owned())
            .await
    }
}
