//! Pins the heading and appendix structure `kehoach segment` finds in the corpus.

use kehoach::segment::{DocTree, NodeKind, Numbering};
use kehoach::{ingest, Options, Rules};

fn tree(file: &str) -> DocTree {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(file);
    let source = ingest::read_path(&path).expect("corpus file reads");
    kehoach::analyze(&source, Rules::embedded(), &Options::default()).1
}

/// Paths of appendices and of Roman / Arabic headings, in document order.
fn outline(t: &DocTree) -> Vec<String> {
    (0..t.nodes.len())
        .filter(|&i| {
            let n = &t.nodes[i];
            n.kind == NodeKind::Appendix
                || (n.kind == NodeKind::Heading && matches!(n.numbering, Some(Numbering::Roman | Numbering::Arabic)))
        })
        .map(|i| {
            let mut path = Vec::new();
            let mut cur = Some(i);
            while let Some(c) = cur {
                let n = &t.nodes[c];
                if matches!(n.kind, NodeKind::Heading | NodeKind::Appendix) {
                    path.extend(n.label.clone());
                }
                cur = n.parent;
            }
            path.reverse();
            path.join(".")
        })
        .collect()
}

fn count(t: &DocTree, kind: NodeKind) -> usize {
    t.of_kind(kind).count()
}

#[test]
fn seed_000_structure() {
    let t = tree("000_02e69c9bc29ccf5a.txt");
    assert_eq!(
        outline(&t),
        [
            "I", "I.1", "I.2", "II", "II.1", "II.2", "III", "III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7",
            "III.8", "IV", "IV.1", "IV.2", "IV.3", "IV.4", "Phụ lục 1", "Phụ lục 2", "Phụ lục 3"
        ]
    );
    assert_eq!(count(&t, NodeKind::Table), 3);
    assert_eq!(count(&t, NodeKind::Signature), 1);
    assert_eq!(count(&t, NodeKind::Recipients), 1);
    assert_eq!(count(&t, NodeKind::DocType), 1);
    // Every table sits in its appendix.
    for i in t.of_kind(NodeKind::Table) {
        assert!(t.ancestor(i, NodeKind::Appendix).is_some());
    }
}

#[test]
fn seed_002_structure() {
    let t = tree("002_b1327e20565ee258.txt");
    assert_eq!(outline(&t), ["Phụ lục II"]);
    assert_eq!(count(&t, NodeKind::Table), 1);
}

#[test]
fn seed_003_structure_keeps_source_numbering() {
    let t = tree("003_c190c98b621f42d7.txt");
    // The source numbers its second section "I." again: kept as printed.
    assert_eq!(
        outline(&t),
        ["I", "I.1", "I.2", "I", "I.1", "I.2", "I.3", "I.4", "I.5", "I.6", "I.7", "III", "III.1", "III.2"]
    );
    // ... and its duplicated "7.2." too.
    let dup = t.nodes.iter().filter(|n| n.label.as_deref() == Some("7.2")).count();
    assert_eq!(dup, 2);
    assert_eq!(count(&t, NodeKind::Signature), 1);
}

#[test]
fn seed_004_structure() {
    let t = tree("004_ff0ca8bcd500a04a.txt");
    assert_eq!(
        outline(&t),
        [
            "I", "I.1", "I.2", "II", "II.1", "II.2", "III", "III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "IV",
            "IV.1", "IV.2", "IV.3", "IV.4", "V", "VI", "VI.1", "VI.2", "VI.3", "VI.4", "VI.5", "VI.6"
        ]
    );
    // The TSV table of "2. Mục tiêu cụ thể" is one table under II.2.
    let tables: Vec<usize> = t.of_kind(NodeKind::Table).collect();
    assert_eq!(tables.len(), 1);
    assert_eq!(t.label_path(tables[0]), ["II", "2"]);
    assert_eq!(count(&t, NodeKind::Header), 2);
    assert_eq!(count(&t, NodeKind::Title), 1);
}

#[test]
fn seed_001_structure_after_ocr_repair() {
    // English-model OCR prints "I." as "|.", "II." as "Il." and "III." as "I11.": the
    // restoration stage repairs them, so the OCR'd plan has the same outline as the others.
    let t = tree("001_70b3ee0bbeef00db.txt");
    let romans: Vec<String> = outline(&t).into_iter().filter(|p| !p.contains('.') && !p.starts_with("Phụ lục")).collect();
    assert_eq!(romans, ["I", "II", "III", "IV"]);
    let appendices: Vec<String> = outline(&t).into_iter().filter(|p| p.starts_with("Phụ lục")).collect();
    assert_eq!(appendices, ["Phụ lục", "Phụ lục 1", "Phụ lục số 02"]);
    assert_eq!(count(&t, NodeKind::DocType), 1);
}
