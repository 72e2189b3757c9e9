//! Self-registration: an access request per registered person (kept after
//! the decision, with who decided and why), and the counters that limit
//! requests anyone can make (per client network, across instances).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AccessRequests {
    Table,
    Id,
    UserId,
    Message,
    Status,
    CreatedAt,
    ConfirmedAt,
    DecidedAt,
    DecidedBy,
    DecidedByName,
    Reason,
}

/// One row per request anyone may make (recovery, registration), keyed by
/// the client's network: an IPv4 address or an IPv6 /64.
#[derive(DeriveIden)]
enum RateEvents {
    Table,
    Id,
    Action,
    ClientKey,
    OccurredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AccessRequests::Table)
                .col(uuid(AccessRequests::Id).primary_key())
                .col(uuid(AccessRequests::UserId))
                .col(text_null(AccessRequests::Message))
                .col(string(AccessRequests::Status))
                .col(timestamp_with_time_zone(AccessRequests::CreatedAt))
                .col(timestamp_with_time_zone_null(AccessRequests::ConfirmedAt))
                .col(timestamp_with_time_zone_null(AccessRequests::DecidedAt))
                .col(uuid_null(AccessRequests::DecidedBy))
                .col(string_null(AccessRequests::DecidedByName))
                .col(text_null(AccessRequests::Reason))
                .foreign_key(
                    ForeignKey::create()
                        .from(AccessRequests::Table, AccessRequests::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "access_requests_status_created",
                vec![AccessRequests::Status, AccessRequests::CreatedAt],
            ),
            ("access_requests_user", vec![AccessRequests::UserId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(AccessRequests::Table);
            for col in cols {
                index.col(col);
            }
            m.create_index(index.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(RateEvents::Table)
                .col(big_pk_auto(RateEvents::Id))
                .col(string(RateEvents::Action))
                .col(string(RateEvents::ClientKey))
                .col(timestamp_with_time_zone(RateEvents::OccurredAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("rate_events_lookup")
                .table(RateEvents::Table)
                .col(RateEvents::Action)
                .col(RateEvents::ClientKey)
                .col(RateEvents::OccurredAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RateEvents::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AccessRequests::Table).to_owned())
            .await
    }
}
