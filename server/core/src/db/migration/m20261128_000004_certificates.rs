//! Users' client certificates (kept after revocation and after the user is
//! deleted, because the CRL must keep listing them until they expire), and
//! attachments on queued mail (the PKCS#12 file and the CA certificate).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    UserId,
    Username,
    SerialHex,
    FingerprintSha256,
    IssuedAt,
    NotAfter,
    IssuedBy,
    RevokedAt,
    RevocationReason,
    ExpiryNotice,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Attachments,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Certificates::Table)
                .col(uuid(Certificates::Id).primary_key())
                .col(uuid(Certificates::UserId))
                .col(string(Certificates::Username))
                .col(string(Certificates::SerialHex).unique_key())
                .col(string(Certificates::FingerprintSha256))
                .col(timestamp_with_time_zone(Certificates::IssuedAt))
                .col(timestamp_with_time_zone(Certificates::NotAfter))
                .col(string_null(Certificates::IssuedBy))
                .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                .col(string_null(Certificates::RevocationReason))
                .col(integer(Certificates::ExpiryNotice).default(0))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("certificates_user", Certificates::UserId),
            ("certificates_not_after", Certificates::NotAfter),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Certificates::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(MailOutbox::Table)
                .add_column(text_null(MailOutbox::Attachments))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(MailOutbox::Table)
                .drop_column(MailOutbox::Attachments)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Certificates::Table).to_owned())
            .await
    }
}
