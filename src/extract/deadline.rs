//! Deadlines: "8/2025", "Tháng 7,8/2025", "Quý III/2025", "Trước 30/9/2025", "Hàng năm",
//! "Theo chỉ đạo, hướng dẫn của Thành phố", "Giai đoạn 2025-2026" ...
//!
//! Decisions:
//! - `raw` is the text as given, trimmed, whitespace collapsed (typos kept: "Thương xuyên").
//! - Empty text is no deadline (`None`); anything else gives a deadline, at worst
//!   `unspecified` (a cell printed "-" too).
//! - Order: a recurring word anywhere ("Hàng năm", "Thường xuyên", "Năm 2025 và các năm
//!   tiếp theo") → `recurring`, with `date` = start of the first time point if any; else a
//!   conditional opener at the start ("Theo ...", "Sau khi ...") → `conditional`, no date;
//!   else time points → `date` / `month` / `year`, or `range` when the point is a span
//!   (quarter, half-year, "Tháng 7,8/2025", "2025-2030") or several points are given
//!   (`date` = start of the first, `until` = end of the last); else `unspecified`.
//! - "Theo lịch" is `conditional`: like every "Theo ..." deadline its time is fixed by a
//!   schedule outside the plan, it is not left open.
//! - "Trước 30/9/2025" is a `date` (the deadline is that day); "Trong năm 2025" a `year`.
//!
//! Words and patterns live in `rules/deadlines.toml`, matched on folded text, so stripped
//! and OCR'd text ("Thuong xuyen", "Hang nam") work.

use super::memo::{rule_set_id, CellMemo};
use super::target::{clean_raw, fold_keep};
use crate::model::{Deadline, DeadlineKind};
use crate::rules::{rule_error, RuleSource};
use regex::Regex;
use serde::Deserialize;

const FILE: &str = "deadlines.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternDef {
    name: String,
    regex: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlineFile {
    month_words: Vec<String>,
    year_words: Vec<String>,
    quarter_words: Vec<String>,
    #[serde(default)]
    day_words: Vec<String>,
    recurring: Vec<String>,
    conditional: Vec<String>,
    patterns: Vec<PatternDef>,
}

/// Compiled deadline rules.
#[derive(Debug)]
pub struct DeadlineRules {
    /// Tells this rule set from others in the per-thread memory of parsed cells.
    id: u64,
    recurring: Option<Regex>,
    conditional: Option<Regex>,
    patterns: Vec<(String, Regex)>,
}

/// Longest-first alternation of folded, escaped words (spaces match any whitespace).
fn alternation(words: &[String]) -> String {
    let mut v: Vec<String> = words.iter().map(|w| fold_keep(w).text.trim().to_string()).filter(|w| !w.is_empty()).collect();
    v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    v.dedup();
    let alts: Vec<String> = v.iter().map(|w| w.split(' ').map(regex::escape).collect::<Vec<_>>().join(r"\s+")).collect();
    format!("(?:{})", alts.join("|"))
}

impl DeadlineRules {
    pub fn load(source: &RuleSource) -> crate::Result<DeadlineRules> {
        let (text, shown) = source.read(FILE)?;
        DeadlineRules::parse(&text, &shown)
    }

    /// Compiles rules from the text of a `deadlines.toml`; `shown` names it in errors.
    pub fn parse(text: &str, shown: &str) -> crate::Result<DeadlineRules> {
        let file: DeadlineFile = crate::rules::parse_toml(text, shown)?;
        for (key, list) in [("month_words", &file.month_words), ("year_words", &file.year_words), ("quarter_words", &file.quarter_words)] {
            if list.iter().all(|w| fold_keep(w).text.trim().is_empty()) {
                return Err(rule_error(shown, text, key, format!("{key} is empty")));
            }
        }
        let day_words = if file.day_words.is_empty() { vec!["ngay".to_string()] } else { file.day_words.clone() };
        let words_re = |list: &[String], anchored: bool| -> Option<Regex> {
            if list.iter().all(|w| fold_keep(w).text.trim().is_empty()) {
                return None;
            }
            let head = if anchored { "^" } else { "" };
            Regex::new(&format!(r"{head}\b{}\b", alternation(list))).ok()
        };
        let recurring = words_re(&file.recurring, false);
        let conditional = words_re(&file.conditional, true);
        let mut patterns = Vec::new();
        for p in &file.patterns {
            let expanded = p
                .regex
                .replace("{month}", &alternation(&file.month_words))
                .replace("{year}", &alternation(&file.year_words))
                .replace("{quarter}", &alternation(&file.quarter_words))
                .replace("{day}", &alternation(&day_words));
            let at = |reason: String| {
                let needle = if text.contains(p.regex.as_str()) { p.regex.clone() } else { p.name.clone() };
                rule_error(shown, text, &needle, format!("pattern \"{}\": {reason}", p.name))
            };
            let re = Regex::new(&expanded).map_err(|e| at(format!("bad regex: {e}")))?;
            let names: Vec<&str> = re.capture_names().flatten().collect();
            if !names.contains(&"y") {
                return Err(at("has no (?P<y>...) group".into()));
            }
            if let Some(bad) = names.iter().find(|n| !["y", "m", "d", "m2", "y2", "q", "q2", "h1", "h2"].contains(n)) {
                return Err(at(format!("unknown group name \"{bad}\"")));
            }
            patterns.push((p.name.clone(), re));
        }
        let id = rule_set_id();
        Ok(DeadlineRules { id, recurring, conditional, patterns })
    }

    /// The rules embedded in the binary.
    pub fn embedded() -> &'static DeadlineRules {
        static RULES: once_cell::sync::OnceCell<DeadlineRules> = once_cell::sync::OnceCell::new();
        RULES.get_or_init(|| DeadlineRules::load(&RuleSource::default()).expect("embedded deadlines.toml is valid"))
    }
}

/// A calendar value at year, month or day precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct When {
    y: u32,
    m: Option<u32>,
    d: Option<u32>,
}

impl When {
    fn iso(&self) -> String {
        match (self.m, self.d) {
            (Some(m), Some(d)) => format!("{:04}-{:02}-{:02}", self.y, m, d),
            (Some(m), None) => format!("{:04}-{:02}", self.y, m),
            _ => format!("{:04}", self.y),
        }
    }

    fn kind(&self) -> DeadlineKind {
        match (self.m, self.d) {
            (Some(_), Some(_)) => DeadlineKind::Date,
            (Some(_), None) => DeadlineKind::Month,
            _ => DeadlineKind::Year,
        }
    }
}

/// One time point found in the text: a single value or a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Point {
    start: When,
    end: When,
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

fn roman_quarter(s: &str) -> Option<u32> {
    match s.replace('l', "i").as_str() {
        "i" | "1" => Some(1),
        "ii" | "2" => Some(2),
        "iii" | "3" => Some(3),
        "iv" | "4" => Some(4),
        _ => None,
    }
}

fn point_of(c: &regex::Captures) -> Option<Point> {
    let num = |name: &str| -> Option<Option<u32>> {
        match c.name(name) {
            None => Some(None),
            Some(m) => m.as_str().parse::<u32>().ok().map(Some),
        }
    };
    let y = num("y")??;
    if !(1900..=2100).contains(&y) {
        return None;
    }
    let m = num("m")?;
    let d = num("d")?;
    if let Some(m) = m {
        if !(1..=12).contains(&m) {
            return None;
        }
        if let Some(d) = d {
            if d == 0 || d > days_in_month(y, m) {
                return None;
            }
        }
    }
    let at = When { y, m, d: d.filter(|_| m.is_some()) };
    if let Some(m2) = num("m2")? {
        let m = m?;
        if !(1..=12).contains(&m2) || m2 < m {
            return None;
        }
        return Some(Point { start: at, end: When { y, m: Some(m2), d: None } });
    }
    if let Some(q) = c.name("q") {
        let q = roman_quarter(q.as_str())?;
        let q2 = match c.name("q2") {
            Some(x) => roman_quarter(x.as_str())?,
            None => q,
        };
        if q2 < q {
            return None;
        }
        return Some(Point { start: When { y, m: Some(3 * q - 2), d: None }, end: When { y, m: Some(3 * q2), d: None } });
    }
    if c.name("h1").is_some() {
        return Some(Point { start: When { y, m: Some(1), d: None }, end: When { y, m: Some(6), d: None } });
    }
    if c.name("h2").is_some() {
        return Some(Point { start: When { y, m: Some(7), d: None }, end: When { y, m: Some(12), d: None } });
    }
    if let Some(y2) = num("y2")? {
        if !(1900..=2100).contains(&y2) || y2 < y {
            return None;
        }
        return Some(Point { start: at, end: When { y: y2, m: None, d: None } });
    }
    Some(Point { start: at, end: at })
}

/// Time points in folded text, in text order; earlier patterns claim their text first.
fn points(rules: &DeadlineRules, f: &str) -> Vec<Point> {
    let mut taken: Vec<(usize, usize, Point)> = Vec::new();
    for (_, re) in &rules.patterns {
        for c in re.captures_iter(f) {
            let m = c.get(0).expect("group 0");
            if m.start() == m.end() || taken.iter().any(|&(s, e, _)| m.start() < e && s < m.end()) {
                continue;
            }
            if let Some(p) = point_of(&c) {
                taken.push((m.start(), m.end(), p));
            }
        }
    }
    taken.sort_by_key(|&(s, _, _)| s);
    let mut out: Vec<Point> = Vec::new();
    for (_, _, p) in taken {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Parses a deadline cell or phrase; `None` for empty text.
pub fn parse_deadline(raw: &str, rules: &DeadlineRules) -> Option<Deadline> {
    CellMemo::parsed(&PARSED, rules.id, raw, || parse_deadline_uncached(raw, rules))
}

thread_local! {
    /// The deadline cells parsed on this thread since the document started: an assignment
    /// table repeats the same few deadlines ("Thường xuyên", "Năm 2025") down its rows.
    static PARSED: std::cell::RefCell<CellMemo<Option<Deadline>>> = Default::default();
}

/// Forgets this thread's parsed cells: called as each document starts.
pub fn start_document() {
    PARSED.with(|p| p.borrow_mut().clear());
}

/// [`parse_deadline`] without the memory of parsed cells.
fn parse_deadline_uncached(raw: &str, rules: &DeadlineRules) -> Option<Deadline> {
    let raw = clean_raw(raw);
    if raw.is_empty() {
        return None;
    }
    let f = fold_keep(&raw).text;
    let pts = points(rules, &f);
    let mk = |kind, date: Option<String>, until: Option<String>| Some(Deadline { raw: raw.clone(), kind, date, until });
    if rules.recurring.as_ref().is_some_and(|r| r.is_match(&f)) {
        let date = pts.first().map(|p| p.start.iso());
        let until = match (pts.first(), pts.last()) {
            (Some(a), Some(b)) if a.start != b.end => Some(b.end.iso()),
            _ => None,
        };
        return mk(DeadlineKind::Recurring, date, until);
    }
    if rules.conditional.as_ref().is_some_and(|r| r.is_match(&f)) {
        return mk(DeadlineKind::Conditional, None, None);
    }
    match pts.as_slice() {
        [] => mk(DeadlineKind::Unspecified, None, None),
        [p] if p.start == p.end => mk(p.start.kind(), Some(p.start.iso()), None),
        [p] => mk(DeadlineKind::Range, Some(p.start.iso()), Some(p.end.iso())),
        [first, .., last] => mk(DeadlineKind::Range, Some(first.start.iso()), Some(last.end.iso())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeadlineKind::{Conditional, Date, Month, Range, Recurring, Unspecified, Year};

    /// A cell parsed again (from the memory of parsed cells) reads as parsed afresh; so do
    /// the cells of another rule set.
    #[test]
    fn remembered_cells_parse_alike() {
        let rules = DeadlineRules::embedded();
        let other = DeadlineRules::load(&RuleSource::default()).expect("embedded rules");
        let mut cells: Vec<String> = ["Thường xuyên", "Năm 2025", "Quý IV/2025", "", "Trước 30/6/2025"].map(String::from).to_vec();
        for text in crate::test_data::corpus() {
            cells.extend(text.lines().filter(|l| l.len() < 60).map(String::from));
        }
        start_document();
        for round in 0..2 {
            for c in &cells {
                for r in [rules, &other] {
                    assert_eq!(parse_deadline(c, r), parse_deadline_uncached(c, r), "{c:?} round {round}");
                }
            }
        }
    }

    fn d(raw: &str) -> (DeadlineKind, Option<String>, Option<String>) {
        let x = parse_deadline(raw, DeadlineRules::embedded()).expect("a deadline");
        (x.kind, x.date, x.until)
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn months() {
        assert_eq!(d("8/2025"), (Month, s("2025-08"), None));
        assert_eq!(d("08/2025"), (Month, s("2025-08"), None));
        assert_eq!(d("Tháng 8 /2025"), (Month, s("2025-08"), None));
        assert_eq!(d("Tháng 8/2025"), (Month, s("2025-08"), None));
        assert_eq!(d("tháng 8 năm 2025"), (Month, s("2025-08"), None));
        assert_eq!(d("Tháng 8, năm 2025"), (Month, s("2025-08"), None));
        assert_eq!(d("T8/2025"), (Month, s("2025-08"), None));
        assert_eq!(d("Thang 8/2025"), (Month, s("2025-08"), None));
        assert_eq!(d("THÁNG 12/2025"), (Month, s("2025-12"), None));
        assert_eq!(d("11/2026"), (Month, s("2026-11"), None));
        assert_eq!(d("10/2025"), (Month, s("2025-10"), None));
        assert_eq!(d("Trước tháng 9/2025"), (Month, s("2025-09"), None));
        assert_eq!(d("tháng 8-2025"), (Month, s("2025-08"), None));
    }

    #[test]
    fn month_spans() {
        assert_eq!(d("Tháng 7,8/2025"), (Range, s("2025-07"), s("2025-08")));
        assert_eq!(d("Tháng 7, 8/2025"), (Range, s("2025-07"), s("2025-08")));
        assert_eq!(d("Tháng 7-8/2025"), (Range, s("2025-07"), s("2025-08")));
        assert_eq!(d("Tháng 7 – 8/2025"), (Range, s("2025-07"), s("2025-08")));
        assert_eq!(d("Tháng 7, 8, 9/2025"), (Range, s("2025-07"), s("2025-09")));
        assert_eq!(d("tháng 7 đến tháng 9 năm 2025"), (Range, s("2025-07"), s("2025-09")));
        assert_eq!(d("Thang 7,8/2025"), (Range, s("2025-07"), s("2025-08")));
        assert_eq!(d("Quý III/2025"), (Range, s("2025-07"), s("2025-09")));
        assert_eq!(d("Quý 3/2025"), (Range, s("2025-07"), s("2025-09")));
        assert_eq!(d("Quý IV năm 2025"), (Range, s("2025-10"), s("2025-12")));
        assert_eq!(d("Quy I/2026"), (Range, s("2026-01"), s("2026-03")));
        assert_eq!(d("Quý III-IV/2025"), (Range, s("2025-07"), s("2025-12")));
        assert_eq!(d("Quy Ill/2025"), (Range, s("2025-07"), s("2025-09")));
        assert_eq!(d("6 tháng đầu năm 2025"), (Range, s("2025-01"), s("2025-06")));
        assert_eq!(d("6 tháng cuối năm 2025"), (Range, s("2025-07"), s("2025-12")));
        assert_eq!(d("Tháng 12/2025 - 6/2026"), (Range, s("2025-12"), s("2026-06")));
    }

    #[test]
    fn dates() {
        assert_eq!(d("30/9/2025"), (Date, s("2025-09-30"), None));
        assert_eq!(d("Trước 30/9/2025"), (Date, s("2025-09-30"), None));
        assert_eq!(d("Trước ngày 30/9/2025"), (Date, s("2025-09-30"), None));
        assert_eq!(d("30-9-2025"), (Date, s("2025-09-30"), None));
        assert_eq!(d("30.9.2025"), (Date, s("2025-09-30"), None));
        assert_eq!(d("ngày 30 tháng 9 năm 2025"), (Date, s("2025-09-30"), None));
        assert_eq!(d("Truoc ngay 15/10/2025"), (Date, s("2025-10-15"), None));
        assert_eq!(d("29/02/2024"), (Date, s("2024-02-29"), None));
        assert_eq!(d("Từ 01/7/2025 đến 30/9/2025"), (Range, s("2025-07-01"), s("2025-09-30")));
    }

    #[test]
    fn invalid_dates_are_not_dates() {
        // 31/9 and 29/2/2025 do not exist: the month still stands; 13/2025 keeps the year.
        assert_eq!(d("31/9/2025"), (Month, s("2025-09"), None));
        assert_eq!(d("29/02/2025"), (Month, s("2025-02"), None));
        assert_eq!(d("13/2025"), (Year, s("2025"), None));
        assert_eq!(d("0/2025"), (Year, s("2025"), None));
    }

    #[test]
    fn years() {
        assert_eq!(d("Năm 2025"), (Year, s("2025"), None));
        assert_eq!(d("Nam 2025"), (Year, s("2025"), None));
        assert_eq!(d("Trong năm 2025"), (Year, s("2025"), None));
        assert_eq!(d("Cuối năm 2025"), (Year, s("2025"), None));
        assert_eq!(d("Đến hết năm 2030"), (Year, s("2030"), None));
        assert_eq!(d("2025"), (Year, s("2025"), None));
        assert_eq!(d("Năm 2025; năm 2025"), (Year, s("2025"), None));
    }

    #[test]
    fn year_spans() {
        assert_eq!(d("Giai đoạn 2025-2026"), (Range, s("2025"), s("2026")));
        assert_eq!(d("Giai doan 2025 - 2026"), (Range, s("2025"), s("2026")));
        assert_eq!(d("2025-2030"), (Range, s("2025"), s("2030")));
        assert_eq!(d("2025 – 2030"), (Range, s("2025"), s("2030")));
        assert_eq!(d("Năm 2025-2026"), (Range, s("2025"), s("2026")));
        assert_eq!(d("Từ năm 2025 đến năm 2030"), (Range, s("2025"), s("2030")));
        assert_eq!(d("Năm 2025, 2026"), (Range, s("2025"), s("2026")));
    }

    #[test]
    fn recurring() {
        for raw in [
            "Hàng năm", "Hằng năm", "Thường xuyên", "Duy trì thường xuyên", "Thương xuyên", "Thuong xuyen", "Hang nam",
            "HÀNG NĂM", "Định kỳ hằng quý", "Liên tục", "Thường xuyên, liên tục", "Hàng tháng",
        ] {
            assert_eq!(d(raw), (Recurring, None, None), "{raw}");
        }
        assert_eq!(d("Năm 2025 và các năm tiếp theo"), (Recurring, s("2025"), None));
        assert_eq!(d("Tháng 8/2025 và duy trì thường xuyên"), (Recurring, s("2025-08"), None));
        assert_eq!(d("Hàng năm, giai đoạn 2025-2030"), (Recurring, s("2025"), s("2030")));
        let x = parse_deadline("Thương xuyên", DeadlineRules::embedded()).unwrap();
        assert_eq!(x.raw, "Thương xuyên");
    }

    #[test]
    fn conditional() {
        for raw in [
            "Theo lịch",
            "Theo chỉ đạo, hướng dẫn của Thành phố",
            "Theo Chỉ đạo hướng dẫn của Thành phố",
            "Sau khi có chỉ đạo, hướng dẫn của thành phố",
            "Sau khi hệ thống dữ liệu được hoàn thành",
            "Theo Kế hoạch/đề án của cấp trên",
            "Theo thời gian tổ chức của các hoạt động",
            "Theo triển khai của các cơ quan chức năng",
            "Theo Dự án được thành phố phê duyệt",
            "Theo ke hoach nam 2025",
            "THEO CHI DAO CUA THANH PHO",
            "Khi có yêu cầu",
            "Tùy theo tình hình thực tế",
        ] {
            assert_eq!(d(raw), (Conditional, None, None), "{raw}");
        }
    }

    #[test]
    fn unspecified_and_empty() {
        assert_eq!(parse_deadline("", DeadlineRules::embedded()), None);
        assert_eq!(parse_deadline(" \n\t", DeadlineRules::embedded()), None);
        assert_eq!(d("-"), (Unspecified, None, None));
        assert_eq!(d("Đang triển khai"), (Unspecified, None, None));
        // "theo" only counts as an opener.
        assert_eq!(d("Hoàn thành theo tiến độ"), (Unspecified, None, None));
    }

    #[test]
    fn raw_is_cleaned_not_rewritten() {
        let x = parse_deadline("  Tháng 8 \n /2025 ", DeadlineRules::embedded()).unwrap();
        assert_eq!(x.raw, "Tháng 8 /2025");
        assert_eq!(x.date.as_deref(), Some("2025-08"));
        let x = parse_deadline("Hang nam", DeadlineRules::embedded()).unwrap();
        assert_eq!(x.raw, "Hang nam");
    }

    #[test]
    fn garbage_never_panics() {
        let rules = DeadlineRules::embedded();
        let long = "1/".repeat(500);
        let samples = [
            "/", "//", "0/0/0", "99/99/9999", "31/12/99999", "4294967296/2025", "Quý V/2025", "Quý /2025", "tháng /",
            "năm", "2025-", "-2025", "\u{301}", "\0", "ố̉ 2025", "Tháng 7,8,/2025", "Tháng 13,14/2025", "Quý IV-I/2025",
            "99999999999999999999/2025", long.as_str(), "2100-2101", "1899",
        ];
        for s in samples {
            let _ = parse_deadline(s, rules);
        }
        let cell = "Tháng 7,8/2025 (trước ngày 30/9/2025), Quý III/2025; Hàng năm";
        for (i, _) in cell.char_indices() {
            let _ = parse_deadline(&cell[..i], rules);
            let _ = parse_deadline(&cell[i..], rules);
        }
    }

    #[test]
    fn bad_rules_are_errors_with_line() {
        let base = "month_words = [\"thang\"]\nyear_words = [\"nam\"]\nquarter_words = [\"quy\"]\nrecurring = []\nconditional = []\n";
        let bad_regex = format!("{base}\n[[patterns]]\nname = \"broken\"\nregex = '(?P<y>[0-9]{{4}}'\n");
        let e = DeadlineRules::parse(&bad_regex, "rules/deadlines.toml").unwrap_err().to_string();
        assert!(e.starts_with("rules/deadlines.toml:9:"), "{e}");
        assert!(e.contains("broken"), "{e}");
        let no_year = format!("{base}\n[[patterns]]\nname = \"noyear\"\nregex = '(?P<m>[0-9]+)'\n");
        let e = DeadlineRules::parse(&no_year, "rules/deadlines.toml").unwrap_err().to_string();
        assert!(e.starts_with("rules/deadlines.toml:9:"), "{e}");
        let e = DeadlineRules::parse("month_words = 1\n", "x.toml").unwrap_err().to_string();
        assert!(e.starts_with("x.toml:1:"), "{e}");
        let ok = format!("{base}\n[[patterns]]\nname = \"y\"\nregex = '\\b{{year}}\\s*(?P<y>[0-9]{{4}})'\n");
        let r = DeadlineRules::parse(&ok, "x").unwrap();
        assert_eq!(parse_deadline("năm 2027", &r).unwrap().date.as_deref(), Some("2027"));
    }

    #[test]
    fn override_dir_bad_regex_names_file_and_line() {
        let dir = std::env::temp_dir().join(format!("kehoach-deadlines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("deadlines.toml");
        let text = "month_words = [\"thang\"]\nyear_words = [\"nam\"]\nquarter_words = [\"quy\"]\nrecurring = []\nconditional = []\n\n[[patterns]]\nname = \"x\"\nregex = '(?P<y>[0-9]{4}'\n";
        std::fs::write(&path, text).unwrap();
        let e = crate::rules::Rules::from_dir(Some(&dir)).unwrap_err();
        let msg = e.to_string();
        std::fs::remove_dir_all(&dir).ok();
        assert!(msg.starts_with(&format!("{}:9:", path.display())), "{msg}");
        assert_eq!(e.exit_code(), 5);
    }

}
