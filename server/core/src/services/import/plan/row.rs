//! One row's plan: a new user, an update, or the errors that stop it.
use super::*;

pub(super) fn parse_status(value: &str) -> Option<UserStatus> {
    let v = value.trim().to_lowercase();
    UserStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == v || s.label().to_lowercase() == v)
}

pub(super) fn rows_list(rows: &[u64]) -> String {
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
        warnings: Vec::new(),
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
            // Active with no password, no invitation and no certificate: an
            // account nobody can sign in to. Invited instead when the admin
            // chose so; otherwise said before anything is applied.
            let unreachable = status == UserStatus::Active && password.is_none() && !certificate;
            let (status, invite) = if unreachable && catalog.invite_unreachable {
                (UserStatus::Invited, true)
            } else {
                if unreachable {
                    report.warnings.push(RowError {
                        column: Password.as_str().into(),
                        reason: shared::model::import::CANNOT_SIGN_IN.into(),
                    });
                }
                (status, invite)
            };
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
