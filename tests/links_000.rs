//! Links between seed 000's body tasks (section III) and the rows of its PHỤ LỤC 3 that
//! restate them, checked against a hand-verified sample: each pair below was read side by
//! side in the source and restates the same commitment; the unlinked items have no row
//! in the table that restates them.

use kehoach::model::{Document, Origin, Task};
use kehoach::{Options, Rules};

fn doc() -> Document {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/000_02e69c9bc29ccf5a.txt");
    kehoach::extract_path(&path, Rules::embedded(), &Options::default()).unwrap()
}

fn body<'a>(d: &'a Document, number: &str) -> &'a Task {
    d.tasks.iter().find(|t| t.origin == Origin::Body && t.number.as_deref() == Some(number)).expect(number)
}

fn linked_row(d: &Document, t: &Task) -> Option<(String, Option<String>)> {
    let id = t.links.first()?;
    let row = d.tasks.iter().find(|x| &x.id == id).expect("link points at a task");
    assert_eq!(row.origin, Origin::Appendix);
    assert_eq!(row.table.as_deref(), Some("Phụ lục 3"));
    assert!(row.links.contains(&t.id), "links go both ways");
    Some((row.section.clone().unwrap_or_default(), row.number.clone()))
}

#[test]
fn hand_verified_links() {
    let d = doc();
    let s = |x: &str| Some(x.to_string());
    let expected = [
        ("1.1", "I", s("2")),
        ("1.2", "I", s("1")),
        ("1.4", "I", s("4")),
        ("1.5", "I", s("5")),
        ("2.6", "II", s("2")),
        ("2.7", "II", s("3")),
        ("3.6", "III", s("5")),
        ("3.7", "III", s("4")),
        ("4.6", "IV", s("2")),
        ("5.4", "V", None),
        ("5.5", "V", s("4")),
        ("5.6", "V", s("5")),
        ("5.9", "V", s("2")),
        ("6.1", "VI", s("1")),
    ];
    for (number, section, row) in expected {
        let t = body(&d, number);
        assert_eq!(linked_row(&d, t), Some((section.to_string(), row.clone())), "body {number}");
    }
    // Items whose topic appears in the table but that no row restates.
    for number in ["1.6", "4.3", "7.1", "2.1"] {
        assert_eq!(linked_row(&d, body(&d, number)), None, "body {number} should not be linked");
    }
}
