//! Body-text indicators on the corpus: 001 states its targets as bullets under
//! "2. Mục tiêu cụ thể / 2.x. Đến hết năm YYYY / a) ..."; the other plans state none in
//! bullets (000 and 002/003 have none in the body, 004 has a table, read elsewhere).

use kehoach::extract::body_indicators::body_indicators;
use kehoach::model::{AgencyRef, Origin, TargetOp};
use kehoach::{ingest, Options, Rules};

fn none(_: &str) -> (Vec<AgencyRef>, Vec<AgencyRef>) {
    (Vec::new(), Vec::new())
}

fn run(file: &str) -> Vec<kehoach::model::Indicator> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(file);
    let source = ingest::read_path(&path).expect("corpus file reads");
    let rules = Rules::embedded();
    let (norm, tree) = kehoach::analyze(&source, rules, &Options::default());
    body_indicators(&norm, &tree, rules, &none)
}

#[test]
fn ocr_plan_bullets_by_period() {
    let v = run("001_70b3ee0bbeef00db.txt");
    // 50 bullets carry a percentage; one is OCR'd beyond reading ("C06100%").
    assert!((47..=50).contains(&v.len()), "{}", v.len());
    let per = |y: &str| v.iter().filter(|x| x.targets[0].period.as_deref() == Some(y)).count();
    assert!(per("2025") >= 14, "{}", per("2025"));
    assert!(per("2030") >= 13, "{}", per("2030"));
    assert!(per("2035") >= 6 && per("2040") >= 7 && per("2045") >= 4);
    assert_eq!(per("2025") + per("2030") + per("2035") + per("2040") + per("2045"), v.len());
    for x in &v {
        assert_eq!(x.origin, Origin::Body);
        assert_eq!(x.table, None);
        assert_eq!(x.targets.len(), 1);
        assert!(x.group.is_some(), "{}", x.name);
        assert_eq!(x.unit.as_deref(), Some("%"), "{}", x.name);
        assert!(x.targets[0].value.is_some(), "{}", x.name);
        assert!(x.name.contains(x.targets[0].raw.as_str()), "{} / {}", x.name, x.targets[0].raw);
    }
    // The range bullet of 2040 and the budget share of 2025.
    assert!(v.iter().any(|x| x.targets[0].op == TargetOp::Range && x.targets[0].value_max == Some(90.0)));
    assert!(v.iter().any(|x| x.targets[0].op == TargetOp::Ge && x.targets[0].value == Some(3.0)));
    // Qualitative bullets ("Ứng dụng AI, IoT, Big Data ...") are not indicators.
    assert!(!v.iter().any(|x| kehoach::fold::fold(&x.name).contains("big data")));
    let ids: std::collections::HashSet<_> = v.iter().map(|x| &x.id).collect();
    assert_eq!(ids.len(), v.len());
}

#[test]
fn plans_without_body_bullet_targets_give_none() {
    for f in ["000_02e69c9bc29ccf5a.txt", "002_b1327e20565ee258.txt", "003_c190c98b621f42d7.txt", "004_ff0ca8bcd500a04a.txt"] {
        let v = run(f);
        assert!(v.is_empty(), "{f}: {:?}", v.iter().map(|x| &x.name).collect::<Vec<_>>());
    }
}
