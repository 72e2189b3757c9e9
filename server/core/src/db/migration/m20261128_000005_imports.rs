//! CSV imports: the uploaded file and its mapping, the dry run's result, the
//! applied counts, and the rows that failed (for the error report). The
//! apply job's cursor says exactly which rows were applied.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    FileName,
    Content,
    Mapping,
    CreateGroups,
    Preview,
    Counts,
    JobId,
    Created,
    Updated,
    Unchanged,
    Failed,
    Secrets,
    CreatedBy,
    CreatedByName,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImportFailures {
    Table,
    ImportId,
    Row,
    Message,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Imports::Table)
                .col(uuid(Imports::Id).primary_key())
                .col(string(Imports::FileName))
                .col(blob(Imports::Content))
                .col(text(Imports::Mapping))
                .col(boolean(Imports::CreateGroups))
                .col(text_null(Imports::Preview))
                .col(text_null(Imports::Counts))
                .col(uuid_null(Imports::JobId))
                .col(big_integer(Imports::Created))
                .col(big_integer(Imports::Updated))
                .col(big_integer(Imports::Unchanged))
                .col(big_integer(Imports::Failed))
                .col(text_null(Imports::Secrets))
                .col(uuid_null(Imports::CreatedBy))
                .col(string(Imports::CreatedByName))
                .col(timestamp_with_time_zone(Imports::CreatedAt))
                .col(timestamp_with_time_zone(Imports::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ImportFailures::Table)
                .col(uuid(ImportFailures::ImportId))
                .col(big_integer(ImportFailures::Row))
                .col(text(ImportFailures::Message))
                .primary_key(
                    Index::create()
                        .col(ImportFailures::ImportId)
                        .col(ImportFailures::Row),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ImportFailures::Table, ImportFailures::ImportId)
                        .to(Imports::Table, Imports::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ImportFailures::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Imports::Table).to_owned())
            .await
    }
}
