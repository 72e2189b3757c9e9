//! The row rules: what one row of a file would do to the directory (create,
//! update, nothing) or why it cannot. Plain functions over what was looked
//! up, so the preview and the apply decide the same way.
use std::collections::{BTreeSet, HashMap};

use shared::model::{FieldChange, ImportField, Outcome, RowError, RowReport, UserStatus};
use shared::validation;
use uuid::Uuid;

use super::read::{Record, Table};
use crate::db::entities::user;

mod changes;
mod row;
use changes::*;
pub use row::*;

/// Where each mapped field sits in a row, and the header names for messages.
#[derive(Debug, Clone)]
pub struct Columns {
    pub index: HashMap<ImportField, usize>,
    pub header: Vec<String>,
}

impl Columns {
    pub fn new(header: &[String], mapping: &[Option<ImportField>]) -> Columns {
        let index = mapping
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (f, i)))
            .collect();
        Columns {
            index,
            header: header.to_vec(),
        }
    }

    /// The cell for `field`, trimmed, with the export's formula guard (a
    /// leading `'` before `=`, `+`, `-`, `@`) taken off; `None` when unmapped.
    pub fn cell<'a>(&self, record: &'a Record, field: ImportField) -> Option<&'a str> {
        let value = record.cells.get(*self.index.get(&field)?)?.trim();
        Some(match value.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
            _ => value,
        })
    }

    /// A non-empty cell.
    fn given<'a>(&self, record: &'a Record, field: ImportField) -> Option<&'a str> {
        self.cell(record, field).filter(|v| !v.is_empty())
    }

    fn name(&self, field: ImportField) -> String {
        self.index
            .get(&field)
            .and_then(|i| self.header.get(*i))
            .cloned()
            .unwrap_or_else(|| field.as_str().to_string())
    }
}

/// A role a row may name.
#[derive(Debug, Clone)]
pub struct RoleChoice {
    pub id: Uuid,
    pub name: String,
    /// The importing admin holds every permission of the role.
    pub allowed: bool,
}

/// Roles and groups by lower-cased name, and the rules that apply.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub roles: HashMap<String, RoleChoice>,
    pub role_names: HashMap<Uuid, String>,
    pub groups: HashMap<String, (Uuid, String)>,
    pub group_names: HashMap<Uuid, String>,
    pub default_role: Uuid,
    pub create_groups: bool,
    /// New active users who could not sign in are invited instead.
    pub invite_unreachable: bool,
    pub policy: validation::Policy,
}

/// An account the file names, with its groups.
#[derive(Debug, Clone)]
pub struct Existing {
    pub user: user::Model,
    pub groups: Vec<Uuid>,
}

/// The accounts a batch of rows names, by username and by email.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub by_username: HashMap<String, Existing>,
    /// email (lower case) → the username (lower case) it belongs to.
    pub email_owner: HashMap<String, String>,
}

/// Usernames and emails that occur more than once in the file, with the rows.
#[derive(Debug, Clone, Default)]
pub struct Duplicates {
    pub usernames: HashMap<String, Vec<u64>>,
    pub emails: HashMap<String, Vec<u64>>,
}

pub fn duplicates(table: &Table, columns: &Columns) -> Duplicates {
    let mut usernames: HashMap<String, Vec<u64>> = HashMap::new();
    let mut emails: HashMap<String, Vec<u64>> = HashMap::new();
    for record in &table.rows {
        if let Some(u) = columns.given(record, ImportField::Username) {
            usernames
                .entry(u.to_lowercase())
                .or_default()
                .push(record.line);
        }
        if let Some(e) = columns.given(record, ImportField::Email) {
            emails
                .entry(e.to_lowercase())
                .or_default()
                .push(record.line);
        }
    }
    usernames.retain(|_, rows| rows.len() > 1);
    emails.retain(|_, rows| rows.len() > 1);
    Duplicates { usernames, emails }
}

/// A group a row names: one that exists, or one the import creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupRef {
    Known(Uuid),
    New(String),
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewRow {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub role_id: Uuid,
    pub groups: Vec<GroupRef>,
    pub status: UserStatus,
    pub external: bool,
    /// The password as given, and its hash (made just before applying).
    pub password: Option<String>,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub invite: bool,
    pub certificate: bool,
}

/// The fields of an existing user that change (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct UpdateRow {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<Option<String>>,
    pub role_id: Option<Uuid>,
    pub groups: Option<Vec<GroupRef>>,
    pub status: Option<UserStatus>,
    pub external: Option<bool>,
}

#[derive(Debug, Clone)]
pub enum Action {
    Nothing,
    Create(Box<NewRow>),
    Update(Box<user::Model>, UpdateRow),
}

/// One row's decision: the preview's report, and what applying does.
#[derive(Debug, Clone)]
pub struct Planned {
    pub report: RowReport,
    pub action: Action,
}

struct Errors<'a> {
    columns: &'a Columns,
    list: Vec<RowError>,
}

impl Errors<'_> {
    fn push(&mut self, field: ImportField, reason: impl Into<String>) {
        self.list.push(RowError {
            column: self.columns.name(field),
            reason: reason.into(),
        });
    }

    fn check(&mut self, field: ImportField, result: Result<(), String>) {
        if let Err(reason) = result {
            self.push(field, reason);
        }
    }
}
