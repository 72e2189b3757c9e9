//! What an update would change, field by field, for the preview.
use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn changes(
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

pub(super) fn group_list(catalog: &Catalog, refs: impl Iterator<Item = GroupRef>) -> String {
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
pub(super) fn describe(e: &Existing, catalog: &Catalog, update: &UpdateRow) -> Vec<FieldChange> {
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
