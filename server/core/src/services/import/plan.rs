//! The row rules: what one row of a file would do to the directory (create,
//! update, nothing) or why it cannot. Plain functions over what was looked
//! up, so the preview and the apply decide the same way.
use std::collections::{BTreeSet, HashMap};

use shared::model::{FieldChange, ImportField, Outcome, RowError, RowReport, UserStatus};
use shared::validation;
use uuid::Uuid;

use super::read::{Record, Table};
use crate::db::entities::user;

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

fn parse_status(value: &str) -> Option<UserStatus> {
    let v = value.trim().to_lowercase();
    UserStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == v || s.label().to_lowercase() == v)
}

fn rows_list(rows: &[u64]) -> String {
    rows.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Decides one row.
pub fn plan_row(
    record: &Record,
    columns: &Columns,
    catalog: &Catalog,
    known: &Known,
    dups: &Duplicates,
) -> Planned {
    use ImportField::*;
    let mut errors = Errors {
        columns,
        list: Vec::new(),
    };
    let username = columns.cell(record, Username).unwrap_or_default();
    let email = columns.cell(record, Email).unwrap_or_default();
    let mut report = RowReport {
        row: record.line,
        username: username.to_string(),
        email: email.to_string(),
        outcome: Outcome::Error,
        changes: Vec::new(),
        errors: Vec::new(),
    };
    if record.cells.len() != columns.header.len() {
        report.errors.push(RowError {
            column: "row".into(),
            reason: format!(
                "has {} fields; the header has {}.",
                record.cells.len(),
                columns.header.len()
            ),
        });
        return Planned {
            report,
            action: Action::Nothing,
        };
    }
    let (username_lc, email_lc) = (username.to_lowercase(), email.to_lowercase());
    errors.check(Username, validation::username(username));
    if validation::username(username).is_ok() {
        errors.check(
            Username,
            crate::services::policy::check_username(&catalog.policy, username),
        );
    }
    errors.check(Email, validation::email(email));
    if let Some(rows) = dups.usernames.get(&username_lc) {
        errors.push(
            Username,
            format!(
                "appears {} times in the file (rows {}).",
                rows.len(),
                rows_list(rows)
            ),
        );
    }
    if let Some(rows) = dups.emails.get(&email_lc) {
        errors.push(
            Email,
            format!(
                "appears {} times in the file (rows {}).",
                rows.len(),
                rows_list(rows)
            ),
        );
    }
    let existing = known.by_username.get(&username_lc);
    match (existing, known.email_owner.get(&email_lc)) {
        (Some(e), _) if e.user.email_lc != email_lc && !email.is_empty() => errors.push(
            Email,
            format!(
                "the account {} has the email {}; a file cannot change it (edit the user instead).",
                e.user.username, e.user.email
            ),
        ),
        (None, Some(owner)) => errors.push(Email, format!("belongs to another account ({owner}).")),
        _ => {}
    }

    let first = columns.given(record, FirstName);
    let last = columns.given(record, LastName);
    for (field, value) in [(FirstName, first), (LastName, last)] {
        if let Some(v) = value {
            errors.check(field, validation::person_name(v));
        } else if existing.is_none() {
            errors.push(field, "is required for a new user.");
        }
    }
    let phone = columns.given(record, Phone);
    if let Some(p) = phone {
        errors.check(Phone, validation::phone(p));
    }
    let role = columns.given(record, Role).and_then(|name| {
        match catalog.roles.get(&name.to_lowercase()) {
            None => {
                errors.push(Role, format!("there is no role named \"{name}\"."));
                None
            }
            Some(r) if !r.allowed => {
                errors.push(
                    Role,
                    format!(
                        "you cannot give the role {}: it has permissions you do not hold.",
                        r.name
                    ),
                );
                None
            }
            Some(r) => Some(r.id),
        }
    });
    let groups = columns.cell(record, Groups).filter(|g| !g.is_empty()).map(|cell| {
        let mut refs = BTreeSet::new();
        for name in cell.split('|').map(str::trim).filter(|n| !n.is_empty()) {
            match catalog.groups.get(&name.to_lowercase()) {
                Some((id, _)) => {
                    refs.insert(GroupRef::Known(*id));
                }
                None if catalog.create_groups => {
                    if (2..=64).contains(&name.chars().count()) {
                        refs.insert(GroupRef::New(name.to_string()));
                    } else {
                        errors.push(Groups, format!("\"{name}\": a group name has 2 to 64 characters."));
                    }
                }
                None => errors.push(
                    Groups,
                    format!("there is no group named \"{name}\" (tick \"Create missing groups\" to create it)."),
                ),
            }
        }
        refs.into_iter().collect::<Vec<_>>()
    });
    let status = columns.given(record, Status).and_then(|s| {
        let parsed = parse_status(s);
        if parsed.is_none() {
            errors.push(
                Status,
                format!("\"{s}\" is not a status (active, inactive, invited…)."),
            );
        }
        parsed
    });
    let external = columns
        .given(record, Origin)
        .and_then(|o| match o.to_lowercase().as_str() {
            "internal" => Some(false),
            "external" => Some(true),
            _ => {
                errors.push(Origin, format!("\"{o}\" is neither internal nor external."));
                None
            }
        });
    let mut flag = |field: ImportField| {
        let value = columns.cell(record, field).unwrap_or_default();
        shared::model::import::parse_flag(value).unwrap_or_else(|reason| {
            errors.push(field, reason);
            false
        })
    };
    let must_change = flag(MustChangePassword);
    let invite = flag(SendInvitation);
    let certificate = flag(IssueCertificate);
    let password = columns.given(record, Password);

    let action = match existing {
        Some(e) => {
            let update = changes(e, catalog, first, last, phone, role, &groups, external);
            if let Some(s) = status.filter(|s| s.as_str() != e.user.status) {
                let movable = |x: &str| x == "active" || x == "inactive";
                if !(movable(s.as_str()) && movable(&e.user.status)) {
                    errors.push(
                        Status,
                        format!(
                            "cannot change from {} to {} by import; only active and inactive can be set.",
                            e.user.status,
                            s.as_str()
                        ),
                    );
                }
            }
            let mut update = update;
            update.status = status.filter(|s| s.as_str() != e.user.status);
            report.changes = describe(e, catalog, &update);
            Action::Update(Box::new(e.user.clone()), update)
        }
        None => {
            let invite = invite || status == Some(UserStatus::Invited);
            if invite && password.is_some() {
                errors.push(
                    Password,
                    "a new user gets a password or an invitation, not both.",
                );
            }
            let status = match status {
                Some(s @ (UserStatus::Active | UserStatus::Inactive | UserStatus::Invited)) => s,
                Some(other) => {
                    errors.push(
                        Status,
                        format!(
                            "a new user can be active, inactive or invited, not {}.",
                            other.as_str()
                        ),
                    );
                    other
                }
                None if invite => UserStatus::Invited,
                None if certificate && password.is_none() => UserStatus::CertificateSent,
                None => UserStatus::Active,
            };
            let status = if invite { UserStatus::Invited } else { status };
            if certificate && status == UserStatus::Inactive {
                errors.push(
                    IssueCertificate,
                    "an inactive user cannot be given a certificate.",
                );
            }
            if let Some(p) = password {
                errors.check(
                    Password,
                    crate::services::passwords::check_policy(p, username, email, &catalog.policy),
                );
            }
            Action::Create(Box::new(NewRow {
                username: username.to_string(),
                email: email.to_string(),
                first_name: first.unwrap_or_default().to_string(),
                last_name: last.unwrap_or_default().to_string(),
                phone: phone.and_then(validation::normalize_phone),
                role_id: role.unwrap_or(catalog.default_role),
                groups: groups.unwrap_or_default(),
                status,
                external: external.unwrap_or(false),
                password: password.map(str::to_string),
                password_hash: None,
                must_change_password: must_change && password.is_some(),
                invite,
                certificate,
            }))
        }
    };
    report.errors = errors.list;
    report.outcome = match (&action, report.errors.is_empty()) {
        (_, false) => Outcome::Error,
        (Action::Create(_), true) => Outcome::Create,
        (Action::Update(..), true) if report.changes.is_empty() => Outcome::Unchanged,
        _ => Outcome::Update,
    };
    let action = if report.outcome == Outcome::Error || report.outcome == Outcome::Unchanged {
        Action::Nothing
    } else {
        action
    };
    if report.outcome == Outcome::Error {
        report.changes.clear();
    }
    Planned { report, action }
}

#[allow(clippy::too_many_arguments)]
fn changes(
    e: &Existing,
    catalog: &Catalog,
    first: Option<&str>,
    last: Option<&str>,
    phone: Option<&str>,
    role: Option<Uuid>,
    groups: &Option<Vec<GroupRef>>,
    external: Option<bool>,
) -> UpdateRow {
    let _ = catalog;
    let u = &e.user;
    let current: BTreeSet<GroupRef> = e.groups.iter().map(|g| GroupRef::Known(*g)).collect();
    UpdateRow {
        first_name: first.filter(|f| *f != u.first_name).map(str::to_string),
        last_name: last.filter(|l| *l != u.last_name).map(str::to_string),
        phone: phone
            .map(validation::normalize_phone)
            .filter(|p| *p != u.phone),
        role_id: role.filter(|r| *r != u.role_id),
        groups: groups
            .clone()
            .filter(|g| g.iter().cloned().collect::<BTreeSet<_>>() != current),
        status: None,
        external: external.filter(|x| *x != (u.origin == "external")),
    }
}

fn group_list(catalog: &Catalog, refs: impl Iterator<Item = GroupRef>) -> String {
    let mut names: Vec<String> = refs
        .map(|g| match g {
            GroupRef::Known(id) => catalog.group_names.get(&id).cloned().unwrap_or_default(),
            GroupRef::New(name) => format!("{name} (new)"),
        })
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    names.join("|")
}

/// The update's changes as "field: before → after".
fn describe(e: &Existing, catalog: &Catalog, update: &UpdateRow) -> Vec<FieldChange> {
    let u = &e.user;
    let mut out = Vec::new();
    let mut push = |field: ImportField, before: String, after: String| {
        out.push(FieldChange {
            field: field.as_str().into(),
            before,
            after,
        })
    };
    if let Some(f) = &update.first_name {
        push(ImportField::FirstName, u.first_name.clone(), f.clone());
    }
    if let Some(l) = &update.last_name {
        push(ImportField::LastName, u.last_name.clone(), l.clone());
    }
    if let Some(p) = &update.phone {
        push(
            ImportField::Phone,
            u.phone.clone().unwrap_or_default(),
            p.clone().unwrap_or_default(),
        );
    }
    if let Some(r) = update.role_id {
        let name = |id: &Uuid| catalog.role_names.get(id).cloned().unwrap_or_default();
        push(ImportField::Role, name(&u.role_id), name(&r));
    }
    if let Some(g) = &update.groups {
        push(
            ImportField::Groups,
            group_list(catalog, e.groups.iter().map(|id| GroupRef::Known(*id))),
            group_list(catalog, g.iter().cloned()),
        );
    }
    if let Some(s) = update.status {
        push(ImportField::Status, u.status.clone(), s.as_str().into());
    }
    if let Some(x) = update.external {
        let origin = |x: bool| if x { "external" } else { "internal" }.to_string();
        push(ImportField::Origin, u.origin.clone(), origin(x));
    }
    out
}
