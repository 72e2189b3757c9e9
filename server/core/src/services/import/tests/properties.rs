//! Property tests of the CSV reader and the row rules: any bytes are read
//! or refused with a message (never a panic), any table of fields written
//! as CSV reads back the same, and every row gets exactly one outcome that
//! agrees with its errors.
use std::collections::HashMap;

use proptest::prelude::*;
use shared::model::Outcome;

use crate::services::import::columns::auto_map;
use crate::services::import::plan::{duplicates, plan_row, Catalog, Columns, Known, RoleChoice};
use crate::services::import::read::read;

fn catalog() -> Catalog {
    let role = RoleChoice {
        id: crate::services::roles::USER_ROLE_ID,
        name: "General user".into(),
        allowed: true,
    };
    Catalog {
        roles: HashMap::from([("general user".into(), role)]),
        role_names: HashMap::new(),
        groups: HashMap::new(),
        group_names: HashMap::new(),
        default_role: crate::services::roles::USER_ROLE_ID,
        create_groups: true,
        invite_unreachable: false,
        policy: shared::validation::Policy::default(),
    }
}

fn write(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

const HEADER: [&str; 8] = [
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "groups",
    "status",
    "password",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Err(message) = read(&bytes) {
            prop_assert!(!message.is_empty());
        }
    }

    #[test]
    fn written_tables_read_back(rows in proptest::collection::vec(
        proptest::collection::vec("[a-z0-9 ,;\"\n=é|@.-]{0,12}", 8), 1..20)
    ) {
        let mut all = vec![HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
        all.extend(rows.iter().cloned());
        let table = read(&write(&all)).unwrap();
        let kept: Vec<&Vec<String>> = rows.iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
        prop_assert_eq!(table.rows.len(), kept.len());
        for (got, want) in table.rows.iter().zip(kept) {
            prop_assert_eq!(&got.cells, want);
        }
    }

    #[test]
    fn every_row_gets_one_consistent_outcome(rows in proptest::collection::vec(
        proptest::collection::vec(prop_oneof![
            Just(String::new()), Just("General user".to_string()), Just("active".to_string()),
            Just("a@b.org".to_string()), "[a-z.]{1,10}", "[a-z]{2,6}@example\\.org", ".{0,10}"
        ], 6..10), 1..30)
    ) {
        let mut all = vec![HEADER.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
        all.extend(rows);
        let Ok(table) = read(&write(&all)) else { return Ok(()); };
        let columns = Columns::new(&table.header, &auto_map(&table.header));
        let dups = duplicates(&table, &columns);
        for record in &table.rows {
            let planned = plan_row(record, &columns, &catalog(), &Known::default(), &dups);
            let r = planned.report;
            prop_assert_eq!(r.outcome == Outcome::Error, !r.errors.is_empty());
            prop_assert!(r.outcome != Outcome::Update && r.outcome != Outcome::Unchanged, "nobody exists");
            prop_assert!(r.errors.iter().all(|e| !e.column.is_empty() && !e.reason.is_empty()));
        }
    }
}
