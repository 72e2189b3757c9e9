//! A chunk's JSON turned into CSV lines: cells are read in place from the
//! JSON text where they need no unescaping, role ids become names, dates
//! become `2026-11-28T09:30:00Z`, and formula-like cells are defused.
use std::borrow::Cow;
use std::collections::HashMap;

use serde::de::{Deserializer, Visitor};
use serde::Deserialize;
use shared::AppError;
use uuid::Uuid;

use super::chunk::Chunk;
use super::{defuse, HEADER};

/// Role names by id, read once per export.
pub type Roles = HashMap<Uuid, String>;

/// A JSON string or null, borrowed from the JSON text when it can be.
enum Cell<'a> {
    Null,
    Text(Cow<'a, str>),
}

impl Cell<'_> {
    fn text(&self) -> &str {
        match self {
            Cell::Null => "",
            Cell::Text(t) => t,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Cell<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CellVisitor;
        impl<'de> Visitor<'de> for CellVisitor {
            type Value = Cell<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or null")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cell::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cell::Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cell::Text(Cow::Owned(v)))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Cell::Null)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Cell::Null)
            }
        }
        d.deserialize_any(CellVisitor)
    }
}

/// One user as the chunk statement returns it: `seq`, then the cells of
/// `HEADER` but groups, with the role's id (for its name) and the dates as
/// stored: turning those into text here costs less than in the database.
#[derive(Deserialize)]
struct Row<'a>(i64, #[serde(borrow)] [Cell<'a>; 10]);

/// Where the groups cell goes among a `Row`'s cells.
const GROUPS: usize = 6;
/// Columns of the CSV that need more than defusing.
const ROLE: usize = 5;
const ORIGIN: usize = 8;
const CREATED: usize = 9;
const LAST_LOGIN: usize = 10;

/// A stored timestamp as `2026-11-28T09:30:00Z`: sliced when it is stored
/// as UTC RFC 3339 (as both back-ends hand it over), else parsed.
pub fn utc_seconds(stored: &str) -> Cow<'_, str> {
    let b = stored.as_bytes();
    let utc = stored.ends_with("+00:00") || stored.ends_with('Z');
    if b.len() >= 20 && b[10] == b'T' && utc {
        return Cow::Owned(format!("{}Z", &stored[..19]));
    }
    match chrono::DateTime::parse_from_rfc3339(stored) {
        Ok(t) => Cow::Owned(t.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        Err(_) => Cow::Borrowed(stored),
    }
}

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("export: {e}"))
}

/// The chunk's users as CSV lines (with the header line first if asked).
pub fn csv_bytes(chunk: &Chunk, roles: &Roles, header: bool) -> Result<Vec<u8>, AppError> {
    let rows: Vec<Row> = match &chunk.users {
        Some(json) => serde_json::from_str(json).map_err(failed)?,
        None => Vec::new(),
    };
    let mut out = csv::WriterBuilder::new().from_writer(Vec::with_capacity(rows.len() * 140));
    if header {
        out.write_record(HEADER).map_err(failed)?;
    }
    for Row(seq, cells) in &rows {
        let groups = chunk.groups.get(seq).map_or("", String::as_str);
        let (before, after) = cells.split_at(GROUPS);
        let all = before
            .iter()
            .map(Cell::text)
            .chain([groups])
            .chain(after.iter().map(Cell::text));
        for (i, cell) in all.enumerate() {
            let cell = match i {
                ROLE => Uuid::parse_str(cell)
                    .ok()
                    .and_then(|id| roles.get(&id))
                    .map_or(Cow::Borrowed(""), |name| defuse(name)),
                ORIGIN if cell != "external" => Cow::Borrowed("internal"),
                CREATED | LAST_LOGIN if !cell.is_empty() => utc_seconds(cell),
                _ => defuse(cell),
            };
            out.write_field(cell.as_bytes()).map_err(failed)?;
        }
        out.write_record(None::<&[u8]>).map_err(failed)?;
    }
    out.into_inner().map_err(failed)
}
