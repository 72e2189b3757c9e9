//! "Download error report": the rows that were not applied, as they were in
//! the file, with an `error` column, ready to fix and upload again.
use std::collections::HashMap;

use super::read::Table;
use crate::services::export::defuse;

/// The columns a mapping reads passwords from (by their fields' names).
pub fn password_columns(mapping: &[Option<shared::model::ImportField>]) -> Vec<usize> {
    mapping
        .iter()
        .enumerate()
        .filter(|(_, f)| **f == Some(shared::model::ImportField::Password))
        .map(|(i, _)| i)
        .collect()
}

/// The report for `failures` (line → reason) over the file's `table`; the
/// `secret` columns (passwords) are left empty: a report is mailed around
/// and kept, a password must not be.
pub fn error_report(
    table: &Table,
    failures: &[(u64, String)],
    secret: &[usize],
) -> Result<Vec<u8>, String> {
    let reasons: HashMap<u64, &str> = failures.iter().map(|(l, m)| (*l, m.as_str())).collect();
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let failed = |e: csv::Error| format!("csv: {e}");
    let mut header = table.header.clone();
    header.push("error".into());
    out.write_record(&header).map_err(failed)?;
    for record in &table.rows {
        if let Some(reason) = reasons.get(&record.line) {
            let mut cells: Vec<String> = record
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if secret.contains(&i) {
                        String::new()
                    } else {
                        defuse(c).into_owned()
                    }
                })
                .collect();
            cells.push(defuse(reason).into_owned());
            out.write_record(&cells).map_err(failed)?;
        }
    }
    out.into_inner().map_err(|e| format!("csv: {e}"))
}

/// The issued certificates' passwords as CSV: username, password.
pub fn passwords_csv(passwords: &[(String, String)]) -> Result<Vec<u8>, String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["username", "pkcs12_password"])
        .map_err(|e| format!("csv: {e}"))?;
    for (user, password) in passwords {
        out.write_record([user, password])
            .map_err(|e| format!("csv: {e}"))?;
    }
    out.into_inner().map_err(|e| format!("csv: {e}"))
}
