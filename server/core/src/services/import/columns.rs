//! Which column of a file holds which field: matched from the header by
//! name (case, spacing and punctuation ignored, common synonyms known), and
//! fixed by the admin in the mapping step.
use shared::model::ImportField;

/// A column's field, by position; `None` is ignored.
pub type Mapping = Vec<Option<ImportField>>;

/// Lower case, letters and digits only: "E-Mail " → "email".
fn key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Header names (as keys) each field is known by.
fn synonyms(field: ImportField) -> &'static [&'static str] {
    use ImportField::*;
    match field {
        Username => &[
            "username",
            "user",
            "login",
            "loginname",
            "userid",
            "uid",
            "account",
            "accountname",
            "samaccountname",
            "benutzername",
        ],
        FirstName => &["firstname", "givenname", "first", "forename", "vorname"],
        LastName => &["lastname", "surname", "familyname", "last", "nachname"],
        Email => &["email", "emailaddress", "mail", "mailaddress"],
        Phone => &[
            "phone",
            "phonenumber",
            "mobile",
            "mobilephone",
            "telephone",
            "tel",
            "cell",
        ],
        Role => &["role", "rolename"],
        Groups => &["groups", "group", "memberof", "teams"],
        Status => &["status", "state", "accountstatus"],
        Origin => &["origin", "usertype"],
        Password => &["password", "initialpassword", "pwd"],
        MustChangePassword => &[
            "mustchangepassword",
            "changepassword",
            "forcepasswordchange",
            "changepasswordatnextlogin",
        ],
        SendInvitation => &["sendinvitation", "invite", "invitation", "sendinvite"],
        IssueCertificate => &["issuecertificate", "certificate", "issuecert"],
    }
}

/// The field a header names, if any.
pub fn field_of(header: &str) -> Option<ImportField> {
    let k = key(header);
    ImportField::ALL
        .into_iter()
        .find(|f| synonyms(*f).contains(&k.as_str()))
}

/// Matches each header to a field; a field goes to its first column only.
pub fn auto_map(headers: &[String]) -> Mapping {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            let field = field_of(h).filter(|f| !taken.contains(f))?;
            taken.push(field);
            Some(field)
        })
        .collect()
}

/// Reads the mapping form's values ("" = ignored), one per column.
pub fn parse(values: &[String], columns: usize) -> Result<Mapping, String> {
    if values.len() != columns {
        return Err(format!(
            "The mapping has {} columns; the file has {columns}.",
            values.len()
        ));
    }
    values
        .iter()
        .map(|v| match v.trim() {
            "" => Ok(None),
            name => ImportField::parse(name)
                .map(Some)
                .ok_or_else(|| format!("Unknown field \"{name}\".")),
        })
        .collect()
}

/// What is wrong with a mapping: a required field missing, a field twice.
pub fn problems(mapping: &Mapping, headers: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for field in ImportField::REQUIRED {
        if !mapping.contains(&Some(field)) {
            problems.push(format!(
                "No column is mapped to {}; it is required.",
                field.label()
            ));
        }
    }
    for field in ImportField::ALL {
        let columns: Vec<&str> = mapping
            .iter()
            .zip(headers)
            .filter(|(m, _)| **m == Some(field))
            .map(|(_, h)| h.as_str())
            .collect();
        if columns.len() > 1 {
            problems.push(format!(
                "{} is mapped from more than one column ({}).",
                field.label(),
                columns.join(", ")
            ));
        }
    }
    problems
}

/// "Download template": every column and two example rows.
pub fn template() -> String {
    let header: Vec<&str> = ImportField::ALL.iter().map(|f| f.as_str()).collect();
    format!(
        "{}\n\
         ada.lovelace,Ada,Lovelace,ada@example.com,+44 20 7946 0000,General user,Engineering|Research,active,internal,,no,yes,no\n\
         alan.turing,Alan,Turing,alan@example.com,,General user,Research,active,external,Choose-a-long-passphrase-1,yes,no,no\n",
        header.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matches_headers_and_synonyms() {
        let headers = strings(&[
            "E-Mail",
            "First name",
            " USERNAME ",
            "Surname",
            "Notes",
            "mail",
        ]);
        let mapping = auto_map(&headers);
        use ImportField::*;
        assert_eq!(
            mapping,
            vec![
                Some(Email),
                Some(FirstName),
                Some(Username),
                Some(LastName),
                None,
                None
            ]
        );
        assert!(problems(&mapping, &headers).is_empty());
    }

    #[test]
    fn template_maps_every_field() {
        let table = super::super::read::read(template().as_bytes()).unwrap();
        let mapping = auto_map(&table.header);
        assert!(mapping.iter().all(Option::is_some));
        assert_eq!(table.rows.len(), 2);
    }

    #[test]
    fn reports_missing_and_doubled_fields() {
        let headers = strings(&["a", "b"]);
        let m = parse(&strings(&["first_name", "first_name"]), 2).unwrap();
        let p = problems(&m, &headers);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(parse(&strings(&["nope", ""]), 2).is_err());
        assert!(parse(&strings(&[""]), 2).is_err());
    }
}
