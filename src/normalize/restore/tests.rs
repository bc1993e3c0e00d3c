use super::*;

fn model() -> &'static Model {
    Model::shipped()
}

#[test]
fn placeholder_builds() {
    assert!(model().lex.len() > 1000);
}

#[test]
#[ignore]
fn debug_lm() {
    let m = model();
    let id = |s: &str| m.lex.id(s).unwrap_or(OTHER);
    for (u, v, ws) in [("năm", ";", vec!["đến", "đen"]), ("nhân", "có", vec!["thành"]), ("cá", "nhân", vec!["có", "cổ", "cơ"]), ("trong", "mọi", vec!["cơ"]), ("việc", "trong", vec!["mọi", "mới"])] {
        let uu = if u == ";" { PUNCT } else { id(u) };
        let vv = if v == ";" { PUNCT } else { id(v) };
        for w in ws {
            eprintln!("{u} {v} {w}: {} (uni {}) freq {}", m.lm.logp(uu, vv, id(w)), m.lm.log_unigram(id(w)), m.freq[id(w) as usize]);
        }
    }
}

#[test]
#[ignore]
fn debug_decode() {
    let m = model();
    for s in ["giai doan (den het nam 2030", "nam 2025; den het nam", "ca nhan co thanh tich", "cong viec trong moi co quan"] {
        eprintln!("{s} => {}", m.restore_text(s, TextKind::Stripped));
    }
}

#[test]
#[ignore]
fn debug_fold() {
    let rules = confusion_rules();
    let docs: Vec<&str> = TRAINING_TEXTS.to_vec();
    let m = Model::train(&docs[1..], Some(WORD_LIST), Channel::from_rules(&rules), &rules);
    let id = |s: &str| m.lex.id(s).unwrap_or(OTHER);
    for w in ["đến", "đen", "có", "cổ", "mọi", "mới"] {
        eprintln!("{w}: uni {} freq {}", m.lm.log_unigram(id(w)), m.freq[id(w) as usize]);
    }
    for s in ["giai doan (den het nam 2030", "nam 2025; den het nam", "ca nhan co thanh tich", "cong viec trong moi co quan"] {
        eprintln!("{s} => {}", m.restore_text(s, TextKind::Stripped));
    }
    let sh = model();
    let reference = eval::normalized(TRAINING_TEXTS[0]);
    let s = eval::score_stripped(sh, &reference);
    eprintln!("shipped on 000: {:.2}", s.acc());
}

#[test]
#[ignore]
fn debug_ocr() {
    let m = model();
    for w in ["sé", "dan", "quéc", "quan", "d6i", "ctia", "Pong", "By", "dgt"] {
        let lower = lexicon::canonical_lower(w);
        let c = m.ocr_candidates(&lower, m.lex.id(&lower));
        let s: Vec<String> = c.iter().map(|c| format!("{}:{:.2}", c.form.map(|f| m.lex.form(f).to_string()).unwrap_or("<keep>".into()), c.cost)).collect();
        eprintln!("{w}: {}", s.join(" "));
    }
    for s in ["Ké hoach sé 142/KH-UBND ngay", "cua nguoi dan va doanh nghiép", "chuyén d6i sé quéc gia", "Nghi quyét s6 57-NQ/TW ngay 22/12/2024 ctia By Chinh tri", "phuong Pong Hai"] {
        eprintln!("{s} => {}", m.restore_text(s, TextKind::Ocr));
    }
}

#[test]
#[ignore]
fn debug_coverage() {
    let mut miss: FxHashMap<String, usize> = FxHashMap::default();
    for t in TRAINING_TEXTS {
        for line in text_lines(t) {
            for tok in tokenize(&line) {
                if tok.kind == TokKind::Word {
                    let l = lexicon::canonical_lower(&tok.text);
                    if !syllables::is_syllable(&l) {
                        *miss.entry(l).or_default() += 1;
                    }
                }
            }
        }
    }
    let mut v: Vec<_> = miss.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1));
    eprintln!("{:?}", &v[..v.len().min(80)]);
    let mut wl: FxHashMap<String, usize> = FxHashMap::default();
    for line in WORD_LIST.lines() {
        for s in line.split([' ', '-']) {
            let l = lexicon::canonical_lower(s);
            if !l.is_empty() && l.chars().all(char::is_alphabetic) && !syllables::is_syllable(&l) {
                *wl.entry(l).or_default() += 1;
            }
        }
    }
    let mut v: Vec<_> = wl.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1));
    eprintln!("WL {} {:?}", v.len(), &v[..v.len().min(150)]);
}

#[test]
#[ignore]
fn debug_names() {
    let m = model();
    for w in ["nguyễn", "nguyên", "lê", "lệ", "thức", "thực"] {
        let id = m.lex.id(w);
        eprintln!("{w}: {:?} cap {:?} freq {:?}", id, id.map(|i| m.cap[i as usize]), id.map(|i| m.freq[i as usize]));
    }
    for s in ["Ong Nguyen Van Thuc, Le Thi Hang", "Nguyen Thi Thuy Hang\nBao cao"] {
        eprintln!("{s} => {}", m.restore_text(s, TextKind::Stripped));
    }
}
