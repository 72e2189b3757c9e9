//! Passwords of an upload: kept sealed until the job applies them, then
//! forgotten.
use super::*;

/// Blanks the file's password column once its job has hashed them: the
/// upload keeps no password in clear beyond the job.
pub async fn forget_passwords(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AppError> {
    let row = find(db, id).await?;
    let secret = crate::services::import::report::password_columns(&mapping_of(&row));
    if secret.is_empty() {
        return Ok(());
    }
    let table = read::read(&row.content).map_err(AppError::Internal)?;
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    out.write_record(&table.header).map_err(failed)?;
    for record in &table.rows {
        let cells =
            record.cells.iter().enumerate().map(
                |(i, c)| {
                    if secret.contains(&i) {
                        ""
                    } else {
                        c.as_str()
                    }
                },
            );
        out.write_record(cells).map_err(failed)?;
    }
    let content = out
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    let mut update: import::ActiveModel = row.into();
    update.content = Set(content);
    update.updated_at = Set(Utc::now());
    update.update(db).await.map_err(db_error)?;
    Ok(())
}

/// Adds issued certificates' passwords to the import, sealed.
pub async fn keep_passwords(
    db: &impl ConnectionTrait,
    id: Uuid,
    key: &[u8; 32],
    passwords: &[(String, String)],
) -> Result<(), AppError> {
    let row = find(db, id).await?;
    let mut all: Vec<(String, String)> = match &row.secrets {
        Some(sealed) => serde_json::from_str(
            &ca::open(key, sealed).map_err(|e| AppError::Internal(e.to_string()))?,
        )
        .unwrap_or_default(),
        None => Vec::new(),
    };
    all.extend_from_slice(passwords);
    let sealed = ca::seal(key, &serde_json::to_string(&all).unwrap_or_default());
    import::Entity::update_many()
        .col_expr(
            import::Column::Secrets,
            sea_orm::sea_query::Expr::value(sealed),
        )
        .filter(import::Column::Id.eq(id))
        .exec(db)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// "Download certificate passwords": once, then they are gone.
pub async fn take_passwords(
    db: &impl ConnectionTrait,
    id: Uuid,
    key: &[u8; 32],
) -> Result<Vec<(String, String)>, AppError> {
    let row = find(db, id).await?;
    let Some(sealed) = row.secrets.clone() else {
        return Err(AppError::Conflict(
            "The certificate passwords were already downloaded; regenerate a certificate to get a new one."
                .into(),
        ));
    };
    let taken = import::Entity::update_many()
        .col_expr(
            import::Column::Secrets,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .filter(import::Column::Id.eq(id))
        .filter(import::Column::Secrets.eq(sealed.clone()))
        .exec(db)
        .await
        .map_err(db_error)?;
    if taken.rows_affected != 1 {
        return Err(AppError::Conflict(
            "The certificate passwords were already downloaded.".into(),
        ));
    }
    let plain = ca::open(key, &sealed).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(serde_json::from_str(&plain).unwrap_or_default())
}
