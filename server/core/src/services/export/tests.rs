//! The CSV export on the chosen back-end: the filter's users exactly, in
//! the import's columns, formulas defused, BOM on request, any size in
//! chunks.
use shared::model::{UserQuery, UserStatus};

use super::*;
use crate::testkit::{add_user, TestDb};

async fn export(db: &sea_orm::DatabaseConnection, selection: Selection) -> (u64, Vec<u8>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let (written, bytes) = tokio::join!(stream(db, &selection, tx), async {
        let mut all = Vec::new();
        while let Some(chunk) = rx.recv().await {
            all.extend(chunk);
        }
        all
    });
    (written.unwrap(), bytes)
}

fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn formula_like_cells_are_defused() {
    for cell in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
        assert_eq!(defuse(cell), format!("'{cell}"));
    }
    for cell in ["pat", "a=b", "", "1-2"] {
        assert_eq!(defuse(cell), cell);
    }
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    assert_eq!(file_name(day), "usher-users-2026-11-28.csv");
}

#[test]
fn dates_come_out_as_utc_seconds() {
    for (stored, shown) in [
        (
            "2026-02-08T14:27:17.888005320+00:00",
            "2026-02-08T14:27:17Z",
        ),
        ("2026-02-08T14:27:17+00:00", "2026-02-08T14:27:17Z"),
        ("2026-02-08T14:27:17Z", "2026-02-08T14:27:17Z"),
        ("2026-02-08T16:27:17.5+02:00", "2026-02-08T14:27:17Z"),
        ("not a date", "not a date"),
    ] {
        assert_eq!(utc_seconds(stored), shown, "{stored}");
    }
}

#[tokio::test]
async fn the_filter_ticked_rows_bom_and_chunks() {
    use sea_orm::{ActiveModelTrait, Set};
    let t = TestDb::new().await;
    let evil = add_user(&t.db, "eve.formula", UserStatus::Active).await;
    let evil_id = evil.id;
    let mut m: crate::db::entities::user::ActiveModel = evil.into();
    m.first_name = Set("=HYPERLINK(\"http://x\",\"y\")".into());
    m.update(&t.db).await.unwrap();
    let inactive = add_user(&t.db, "ina.ctive", UserStatus::Inactive).await;
    // Group names come sorted byte-wise (upper case first) and joined by `|`.
    let root = crate::testkit::add_root(&t.db).await;
    let actor = crate::testkit::actor_for(&root);
    let mut groups = Vec::new();
    for name in ["ops", "Berlin", "admins"] {
        groups.push(
            crate::services::groups::create(&t.db, &actor, name, "")
                .await
                .unwrap(),
        );
    }
    crate::services::groups::add_memberships(&t.db, evil_id, &groups)
        .await
        .unwrap();
    for i in 0..(CHUNK + 7) {
        add_user(&t.db, &format!("bulk.{i:05}"), UserStatus::Invited).await;
    }

    // A filter: only the active one.
    let active = Selection {
        query: UserQuery::parse("status=active&q=eve"),
        ..Default::default()
    };
    let (written, bytes) = export(&t.db, active).await;
    assert_eq!(written, 1);
    let rows = records(&bytes);
    assert_eq!(rows[0], HEADER.map(str::to_string).to_vec());
    assert_eq!(rows[1][0], "eve.formula");
    assert_eq!(
        rows[1][1], "'=HYPERLINK(\"http://x\",\"y\")",
        "plain text, defused"
    );
    assert_eq!(rows[1][5], "General user");
    assert_eq!(
        (rows[1][7].as_str(), rows[1][8].as_str()),
        ("active", "internal")
    );
    assert_eq!(rows[1][6], "Berlin|admins|ops");
    assert_eq!(rows[1][10], "", "never signed in");
    let created = chrono::DateTime::parse_from_rfc3339(&rows[1][9]).expect("an RFC 3339 date");
    assert!(
        rows[1][9].ends_with('Z') && rows[1][9].len() == 20,
        "{}",
        rows[1][9]
    );
    assert!((chrono::Utc::now() - created.to_utc()).num_minutes() < 5);
    assert!(!bytes.starts_with(BOM));

    // Ticked rows, with the BOM for Excel.
    let ticked = Selection {
        rows: vec![inactive.seq],
        bom: true,
        ..Default::default()
    };
    let (written, bytes) = export(&t.db, ticked).await;
    assert_eq!(written, 1);
    assert!(bytes.starts_with(BOM));
    assert_eq!(records(&bytes[BOM.len()..])[1][0], "ina.ctive");

    // More than one chunk: every invited user once, in order.
    let invited = Selection {
        query: UserQuery::parse("status=invited"),
        ..Default::default()
    };
    let (written, bytes) = export(&t.db, invited).await;
    assert_eq!(written, CHUNK + 7);
    let names: Vec<String> = records(&bytes)[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(names.len() as u64, CHUNK + 7);
    assert_eq!(names.first().unwrap(), "bulk.00000");
    assert_eq!(names.last().unwrap(), &format!("bulk.{:05}", CHUNK + 6));
    t.close().await;
}
