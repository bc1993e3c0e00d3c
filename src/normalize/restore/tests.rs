use super::*;
use crate::normalize::{normalize, NormalizeOptions, RestoreMode};
use crate::SourceText;
use unicode_normalization::UnicodeNormalization;

fn model() -> &'static Model {
    Model::shipped()
}

fn run(text: &str, mode: RestoreMode) -> (String, bool) {
    let src = SourceText::from_string("t", text);
    let n = normalize(&src, &NormalizeOptions { restore: mode, ..Default::default() });
    (n.text, n.restored)
}

#[test]
fn embedded_rules_parse() {
    let r: ConfusionRules = crate::rules::parse_toml(CONFUSION_RULES, "rules/ocr_confusions.toml").expect("valid");
    assert!(!r.confusion.is_empty() && !r.structure.is_empty() && !r.keep.is_empty() && !r.abbreviations.is_empty());
    assert!(model().lex.len() > 5000);
}

#[test]
fn ocr_example_sentence() {
    let out = model().restore_text("Nghi quyét s6 57-NQ/TW ngay 22/12/2024 ctia By Chinh tri", TextKind::Ocr);
    assert_eq!(out, "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị");
    let out = model().restore_text("Uy ban nhan dan phuong Pong Hai xay dung ké hoach", TextKind::Ocr);
    assert_eq!(out, "Ủy ban nhân dân phường Đông Hải xây dựng kế hoạch");
}

#[test]
fn stripped_example_sentence() {
    let out = model().restore_text("Nghi quyet so 57-NQ/TW ngay 22/12/2024 cua Bo Chinh tri ve chuyen doi so", TextKind::Stripped);
    assert_eq!(out, "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về chuyển đổi số");
}

#[test]
fn ocr_structure_repaired() {
    let text = "UY BAN NHAN DAN CONG HOA XA HQI CHU NGHIA VIET NAM\nS6:25 /KH-UBND Péng Hai, ngay 19thang 8 nam 2025\n\
                KE HOACH\nThuc hién Nghi quyét s6 57-NQ/TW ngay 22/12/2024 ctia By Chinh tri\n|. MUC PICH, YEU CAU\n\
                1. Muc dich:\n- Quén triét va t6 chtrc trién khai thuc hién Nghi quyét\nIl. MUC TIEU\nIIl. NHIEM VU VA GIAI PHAP\nI11. NHIEM VU, GIAI PHAP\n11. Muc\n\
                Uy ban nhan dan phuong Pong Hai xay dung ké hoach; phuong Pong Hai va Ban Thuong vu Pang uy phuong Pong Hai";
    let (out, restored) = run(text, RestoreMode::Auto);
    assert!(restored);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert_eq!(lines[1], "Số: 25/KH-UBND Đông Hải, ngày 19 tháng 8 năm 2025");
    assert_eq!(lines[2], "KẾ HOẠCH");
    assert_eq!(lines[4], "I. MỤC ĐÍCH, YÊU CẦU");
    assert_eq!(lines[5], "1. Mục đích:");
    assert_eq!(lines[7], "II. MỤC TIÊU");
    assert_eq!(lines[8], "III. NHIỆM VỤ VÀ GIẢI PHÁP");
    assert!(lines[9].starts_with("III. "), "{}", lines[9]);
    assert!(lines[10].starts_with("11. "), "{}", lines[10]);
}

#[test]
fn ocr_target_symbol_read_as_at_least() {
    let text = "Uy ban nhan dan phuong trien khai ké hoach chuyén doi sé cho nguoi dan\n- Ty I¢ phu song 5G trén dia ban dat > 60%.\n3 | truy cap bang rong | =60% | 100% | 4 > 3 cong viéc";
    let (out, restored) = run(text, RestoreMode::Auto);
    assert!(restored);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].ends_with("đạt ≥ 60%."), "{}", lines[1]);
    assert!(lines[2].contains("| ≥60% | 100% |") && lines[2].contains("4 > 3"), "{}", lines[2]);
}

#[test]
fn numbers_codes_abbreviations_english_untouched() {
    let keep = ["57-NQ/TW", "22/12/2024", "3,0%", "UBND", "KHCN", "CĐS", "Zalo", "IoT", "AI", "https://dichvucong.gov.vn", "5G", "VNeID"];
    let stripped = "UBND phuong trien khai KHCN va CĐS tren Zalo, IoT, AI theo 57-NQ/TW ngay 22/12/2024 (3,0%) tai https://dichvucong.gov.vn, 5G, VNeID";
    let noisy = "UBND phuong trién khai KHCN va CĐS trén Zalo, IoT, AI theo 57-NQ/TW ngay 22/12/2024 (3,0%) tai https://dichvucong.gov.vn, 5G, VNeID";
    for (text, kind) in [(stripped, TextKind::Stripped), (noisy, TextKind::Ocr)] {
        let out = model().restore_text(text, kind);
        for k in keep {
            assert!(out.contains(k), "{kind:?}: {k} lost in {out}");
        }
        assert!(out.starts_with("UBND phường triển khai KHCN và CĐS trên Zalo"), "{out}");
    }
}

#[test]
fn clean_corpus_text_is_byte_identical_in_auto_mode() {
    for t in TRAINING_TEXTS {
        let (auto, restored) = run(t, RestoreMode::Auto);
        let (never, _) = run(t, RestoreMode::Never);
        assert!(!restored);
        assert_eq!(auto, never);
    }
    let (out, restored) = run("Kế hoạch số 87/KH-UBND ngày 27 tháng 3 năm 2026 của Ủy ban nhân dân phường Gia Viên về chuyển đổi số", RestoreMode::Auto);
    assert!(!restored);
    assert_eq!(out, "Kế hoạch số 87/KH-UBND ngày 27 tháng 3 năm 2026 của Ủy ban nhân dân phường Gia Viên về chuyển đổi số");
}

#[test]
fn detection() {
    let m = model();
    let kind = |t: &str| {
        let lines: Vec<MappedStr> = t.split('\n').map(|l| MappedStr::from_source(l, 0)).collect();
        m.detect(&lines)
    };
    let clean = eval::normalized(TRAINING_TEXTS[2]);
    assert_eq!(kind(&clean), TextKind::Clean);
    assert_eq!(kind(&crate::fold::strip_diacritics(&clean)), TextKind::Stripped);
    let ocr = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/restore/ocr/003.ocr.txt")).unwrap();
    assert_eq!(kind(&ocr), TextKind::Ocr);
    assert_eq!(kind("Zalo, Facebook and YouTube pages for the ward, see https://example.org for more"), TextKind::Clean);
    // Codes with digits ("5G", "4G") and abbreviations with "&" are not OCR damage.
    assert_eq!(
        kind("- Tỷ lệ phủ sóng 5G trên địa bàn đạt 100%.\n- Có 80% hộ gia đình dùng 4G, 5G; KH&CN và ĐMST được đẩy mạnh."),
        TextKind::Clean
    );
}

#[test]
fn output_is_nfc_and_deterministic() {
    let text = "Nghi quyét s6 57-NQ/TW ngay 22/12/2024 ctia By Chinh tri vé dgt pha phat trién khoa hgc, cong nghé¢, doi méi sang tao";
    let a = model().restore_text(text, TextKind::Ocr);
    let b = model().restore_text(text, TextKind::Ocr);
    assert_eq!(a, b);
    assert_eq!(a, a.nfc().collect::<String>());
    // A model trained again from the same data decodes the same way.
    let rules = confusion_rules();
    let m2 = Model::train(TRAINING_TEXTS, Some(WORD_LIST), Channel::from_tsv(LEARNED_CHANNEL, &rules), &rules);
    assert_eq!(m2.restore_text(text, TextKind::Ocr), a);
}

#[test]
fn restored_words_keep_source_alignment() {
    let text = "Ke hoach cua phuong ve chuyen doi so va doi moi sang tao trong nam nay cua Uy ban";
    let src = SourceText::from_string("t", text);
    let n = normalize(&src, &NormalizeOptions { restore: RestoreMode::Always, ..Default::default() });
    assert!(n.restored);
    let pos = n.text.find("chuyển").unwrap();
    let sp = n.span(pos, pos + "chuyển".len());
    assert_eq!(&src.text[sp.start..sp.end], "chuyen");
}

#[test]
fn never_mode_leaves_ocr_alone() {
    let (out, restored) = run("Nghi quyét s6 57-NQ/TW ngay 22/12/2024 ctia By Chinh tri va cac phong ban", RestoreMode::Never);
    assert!(!restored);
    assert!(out.contains("ctia By"));
}

#[test]
fn held_out_stripped_accuracy_beats_baseline() {
    // Small, fast k-fold check: trained on two documents, tested on a third.
    let rules = confusion_rules();
    let m = Model::train(&TRAINING_TEXTS[..2], Some(WORD_LIST), Channel::from_rules(&rules), &rules);
    let s = eval::score_stripped(&m, &eval::normalized(TRAINING_TEXTS[2]));
    assert!(s.syllables > 2000);
    assert!(s.acc() > 95.0 && s.acc() > s.baseline_acc() + 5.0, "{} vs {}", s.acc(), s.baseline_acc());
}

#[test]
fn reference_head_of_ocr_plan() {
    let reference = include_str!("../../../fixtures/restore/001_reference_head.txt");
    let src = include_str!("../../../corpus/001_70b3ee0bbeef00db.txt");
    let lines = crate::normalize::layout::clean_lines(src, crate::normalize::ToneStyle::Traditional);
    assert_eq!(model().detect(&lines), TextKind::Ocr);
    let n = reference.lines().count();
    let mut head: Vec<MappedStr> = lines.into_iter().take(n).collect();
    model().restore_lines(&mut head, TextKind::Ocr);
    let out: String = head.iter().map(|l| l.as_string()).collect::<Vec<_>>().join("\n");
    let s = eval::score_aligned(reference, &out);
    assert!(s.acc() > 93.0, "{}", s.acc());
    for heading in ["KẾ HOẠCH", "I. MỤC ĐÍCH, YÊU CẦU", "II. MỤC TIÊU", "Số: 25/KH-UBND"] {
        assert!(out.contains(heading), "{heading}");
    }
}


#[test]
fn stored_model_is_fresh() {
    // rules/restore/model.bin is exactly what training on the shipped text gives
    // (regenerate with `kehoach restore-model` when the training data or code changes).
    let fresh = ModelData::shipped_training();
    let stored = ModelData::from_bytes(MODEL_BYTES).expect("rules/restore/model.bin parses");
    assert!(stored == fresh, "rules/restore/model.bin is stale: run `kehoach restore-model`");
    assert_eq!(fresh.to_bytes(), MODEL_BYTES);
    // The loaded model decodes exactly as a freshly trained one.
    let rules = confusion_rules();
    let trained = Model::train(TRAINING_TEXTS, Some(WORD_LIST), Channel::from_tsv(LEARNED_CHANNEL, &rules), &rules);
    let text = "Uy ban nhan dan phuong xay dung ke hoach trien khai chuyen doi so tren dia ban";
    assert_eq!(model().restore_text(text, TextKind::Stripped), trained.restore_text(text, TextKind::Stripped));
}

#[test]
fn clean_text_needs_no_model() {
    let text = eval::normalized(TRAINING_TEXTS[0]);
    let clean: Vec<MappedStr> = text.split('\n').map(|l| MappedStr::from_source(l, 0)).collect();
    assert!(clearly_clean(&clean));
    let text = crate::fold::strip_diacritics(&text);
    let stripped: Vec<MappedStr> = text.split('\n').map(|l| MappedStr::from_source(l, 0)).collect();
    assert!(!clearly_clean(&stripped));
    let ocr = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/restore/ocr/003.ocr.txt")).unwrap();
    let ocr: Vec<MappedStr> = ocr.split('\n').map(|l| MappedStr::from_source(l, 0)).collect();
    assert!(!clearly_clean(&ocr));
}

#[test]
fn ocr_rules_overridable_with_rules_dir() {
    use crate::rules::{RuleSource, Rules};
    let text = "Nghi quyét s6 57-NQ/TW ngay 22/12/2024 ctia By Chinh tri vé dgt pha phat trién khoa hgc cong nghé¢";
    let opts = crate::Options { normalize: NormalizeOptions { restore: RestoreMode::Auto, ..Default::default() } };
    let src = SourceText::from_string("t", text);
    let (norm, _) = crate::analyze(&src, Rules::embedded(), &opts);
    assert!(norm.text.starts_with("Nghị quyết số"), "{}", norm.text);
    // A rule directory whose ocr_confusions.toml protects "nghi" and "quyét".
    let dir = tempfile::tempdir().unwrap();
    let custom = CONFUSION_RULES.replacen("keep = [", "keep = [\"nghi\", \"quyét\", ", 1);
    std::fs::write(dir.path().join(RestoreRules::FILE), &custom).unwrap();
    let rules = Rules::from_dir(Some(dir.path())).unwrap();
    let (norm, _) = crate::analyze(&src, &rules, &opts);
    assert!(norm.text.starts_with("Nghi quyét số"), "{}", norm.text);
    // The fingerprint (batch re-runs) sees the change; a bad pattern is an error with a line.
    assert_ne!(RuleSource { dir: Some(dir.path().into()) }.fingerprint().unwrap(), RuleSource::default().fingerprint().unwrap());
    std::fs::write(dir.path().join(RestoreRules::FILE), format!("{CONFUSION_RULES}\n[[structure]]\npattern = \"(unclosed\"\nreplace = \"\"\n")).unwrap();
    let err = Rules::from_dir(Some(dir.path())).unwrap_err().to_string();
    assert!(err.contains("ocr_confusions.toml") && err.contains("unclosed"), "{err}");
}

#[test]
fn stripped_paragraph_in_clean_plan_is_restored_alone() {
    let clean = eval::normalized(TRAINING_TEXTS[2]);
    let lines: Vec<&str> = clean.split('\n').collect();
    // A paragraph of prose in the middle: the longest run of 4 lines with many words.
    let start = (lines.len() / 3..lines.len() * 2 / 3)
        .max_by_key(|&i| lines[i..i + 4].iter().map(|l| l.split_whitespace().count()).sum::<usize>())
        .unwrap();
    let (a, b) = (start, start + 4);
    let mixed: Vec<String> =
        lines.iter().enumerate().map(|(i, l)| if (a..b).contains(&i) { crate::fold::strip_diacritics(l) } else { l.to_string() }).collect();
    let (out, restored) = run(&mixed.join("\n"), RestoreMode::Auto);
    assert!(restored);
    let out_lines: Vec<&str> = out.split('\n').collect();
    assert_eq!(out_lines.len(), lines.len());
    for (i, (o, l)) in out_lines.iter().zip(&lines).enumerate() {
        if !(a..b).contains(&i) {
            assert_eq!(o, l, "line {i} changed");
        }
    }
    let s = eval::score_aligned(&lines[a..b].join("\n"), &out_lines[a..b].join("\n"));
    assert!(s.syllables > 40 && s.acc() > 90.0, "{} of {}", s.acc(), s.syllables);
}
