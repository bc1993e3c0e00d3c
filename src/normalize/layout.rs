//! Layout repair: residue of LaTeX and markdown, page furniture, repeated table headers,
//! blank lines, and codes or words split across lines.

use super::mapped::MappedStr;
use super::unicode::{place_tone, ToneStyle};
use crate::fold::fold;
use once_cell::sync::Lazy;
use regex::Regex;
use unicode_normalization::UnicodeNormalization;

static LATEX_MATH: Lazy<Regex> = Lazy::new(|| Regex::new(r"\$([^$\n]{0,80})\$").unwrap());
static LATEX_CMD: Lazy<Regex> = Lazy::new(|| Regex::new(r"\\(geq|leq|ge|le|times|%|,|;|!|neq|approx)").unwrap());
static MD_BOLD: Lazy<Regex> = Lazy::new(|| Regex::new(r"\*\*|__").unwrap());
static MD_AUTOLINK: Lazy<Regex> = Lazy::new(|| Regex::new(r"<((?:https?|ftp)://[^>\s]+)>").unwrap());
static MD_HEADING: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s{0,3}#{1,6}\s+").unwrap());
static MD_TABLE_RULE: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$").unwrap());
static URL_ONLY: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*(file:///|https?://|www\.)\S*\s*$").unwrap());
static PAGE_MARK: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)^\s*(?:-\s*\d{1,3}\s*-|trang\s+\d{1,3}(?:\s*/\s*\d{1,3})?|\d{1,3}\s*/\s*\d{1,3})\s*$").unwrap());
static LONE_NUMBER: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*\d{1,3}\s*$").unwrap());
static HEADING_START: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"^\s*(?:[IVXLC]+\.|\d+(?:\.\d+)*\.|[a-zđ]\)|-\s)").unwrap());

fn latex_symbol(cmd: &str) -> &'static str {
    match cmd {
        "geq" | "ge" => "≥",
        "leq" | "le" => "≤",
        "neq" => "≠",
        "approx" => "≈",
        "times" => "×",
        "%" => "%",
        _ => " ",
    }
}

/// Rewrites residue of LaTeX math and markdown in one line.
fn strip_residue(line: &mut MappedStr) {
    line.replace_regex(&LATEX_MATH, |c| {
        let inner = LATEX_CMD.replace_all(&c[1], |m: &regex::Captures| latex_symbol(&m[1]).to_string());
        let inner = inner.replace(['{', '}'], "");
        // "≥82%" reads better as "≥ 82%", the way the plans print it.
        let inner = Regex::new(r"^([≥≤<>=≠≈])\s*").unwrap().replace(inner.trim(), "$1 ").into_owned();
        inner
    });
    line.replace_regex(&LATEX_CMD, |c| if &c[1] == "%" { "%".into() } else { c[0].to_string() });
    line.replace_regex(&MD_AUTOLINK, |c| c[1].to_string());
    line.replace_regex(&MD_BOLD, |_| String::new());
    line.replace_regex(&MD_HEADING, |_| String::new());
    // Markdown pipe tables become tab-separated rows, like TSV input.
    let s = line.as_string();
    let t = s.trim();
    if t.starts_with('|') && t.ends_with('|') && t.matches('|').count() >= 3 {
        let re = Regex::new(r"^\s*\|\s*|\s*\|\s*$").unwrap();
        line.replace_regex(&re, |_| String::new());
        let sep = Regex::new(r"\s*\|\s*").unwrap();
        line.replace_regex(&sep, |_| "\t".into());
    }
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic() || crate::fold::is_combining_mark(c)
}

/// Normalizes each line and drops the furniture. Returns the kept lines.
pub fn clean_lines(text: &str, style: ToneStyle) -> Vec<MappedStr> {
    let mut lines: Vec<MappedStr> = Vec::new();
    let mut offset = 0;
    for raw in text.split('\n') {
        let mut m = MappedStr::from_source(raw, offset);
        offset += raw.len() + 1;
        m.chars.retain(|c| !matches!(c.c, '\r' | '\u{feff}' | '\u{0c}' | '\u{200b}'));
        if MD_TABLE_RULE.is_match(&m.as_string()) {
            continue;
        }
        strip_residue(&mut m);
        m.map_words(is_letter, |w| {
            let nfc: String = w.nfc().collect();
            place_tone(&nfc, style)
        });
        // Unify look-alike punctuation that matching depends on.
        m.map_words(|c| matches!(c, '\u{2010}' | '\u{2011}' | '\u{2012}'), |w| "-".repeat(w.chars().count()));
        m.tidy_spaces();
        if m.is_empty() {
            continue;
        }
        let s = m.as_string();
        if URL_ONLY.is_match(&s) || PAGE_MARK.is_match(&s) {
            continue;
        }
        lines.push(m);
    }
    drop_prose_page_numbers(&mut lines);
    drop_repeated_table_headers(&mut lines);
    join_split_codes(&mut lines);
    lines
}

/// A lone number between two lines of running prose is a page number. Lone numbers in
/// tables (row numbers, page numbers cutting a row) are left to table reconstruction.
fn drop_prose_page_numbers(lines: &mut Vec<MappedStr>) {
    let texts: Vec<String> = lines.iter().map(|l| l.as_string()).collect();
    let mut keep = vec![true; lines.len()];
    for i in 1..texts.len().saturating_sub(1) {
        if !LONE_NUMBER.is_match(&texts[i]) {
            continue;
        }
        let prev = &texts[i - 1];
        let next = &texts[i + 1];
        let prose = |s: &str| s.chars().count() >= 40 && !s.contains('\t');
        if prose(prev) && (prose(next) || HEADING_START.is_match(next)) {
            keep[i] = false;
        }
    }
    let mut k = keep.iter();
    lines.retain(|_| *k.next().unwrap());
}

/// Table headers repeat at the top of every page in PDF dumps. The first header of a
/// table (a line starting "TT"/"STT" and the lines after it) is remembered; a later run
/// of lines equal to it is dropped.
fn drop_repeated_table_headers(lines: &mut Vec<MappedStr>) {
    const MAX_HEADER_LINES: usize = 40;
    let folded: Vec<String> = lines.iter().map(|l| fold(&l.as_string())).collect();
    let is_header_start = |f: &str| f == "tt" || f == "stt" || f.starts_with("tt ") || f.starts_with("stt ");
    let mut keep = vec![true; lines.len()];
    let mut i = 0;
    while i < folded.len() {
        if !is_header_start(&folded[i]) {
            i += 1;
            continue;
        }
        // Find an earlier header with the same first line.
        let earlier = (0..i).find(|&j| keep[j] && folded[j] == folded[i] && is_header_start(&folded[j]));
        match earlier {
            Some(j) => {
                let mut n = 0;
                while n < MAX_HEADER_LINES && i + n < folded.len() && j + n < i && folded[j + n] == folded[i + n] {
                    n += 1;
                }
                // Only a repeat of the header part: stop where the first header's rows began.
                let header_len = header_length(&folded, j);
                let n = n.min(header_len);
                for k in keep.iter_mut().skip(i).take(n) {
                    *k = false;
                }
                i += n.max(1);
            }
            None => i += 1,
        }
    }
    let mut k = keep.iter();
    lines.retain(|_| *k.next().unwrap());
}

/// Number of lines of the header starting at `j`: up to the first line that starts a
/// data or group row (a number or a Roman numeral).
fn header_length(folded: &[String], j: usize) -> usize {
    let row_start = Regex::new(r"^(\d+(\.\d+)*|[ivxlc]+)( |$)").unwrap();
    let mut n = 1;
    while j + n < folded.len() && n < 40 && !row_start.is_match(&folded[j + n]) {
        n += 1;
    }
    n
}

/// "57-" + "NQ/TW" → "57-NQ/TW", "HĐND-" + "UBND" → "HĐND-UBND": a line that ends with a
/// hyphen attached to a word continues on the next line without a space.
fn join_split_codes(lines: &mut Vec<MappedStr>) {
    let mut out: Vec<MappedStr> = Vec::with_capacity(lines.len());
    for line in lines.drain(..) {
        if let Some(prev) = out.last_mut() {
            let n = prev.chars.len();
            let ends_attached_hyphen = n >= 2
                && prev.chars[n - 1].c == '-'
                && prev.chars[n - 2].c.is_alphanumeric()
                && !prev.chars.iter().any(|m| m.c == '\t');
            let starts_word = line.chars.first().is_some_and(|m| m.c.is_alphanumeric());
            let next_is_item = HEADING_START.is_match(&line.as_string());
            if ends_attached_hyphen && starts_word && !next_is_item {
                prev.append(line);
                continue;
            }
        }
        out.push(line);
    }
    *lines = out;
}

/// Joins wrapped lines of one paragraph with single spaces.
pub fn join_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for l in lines {
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        if !out.is_empty() && !(out.ends_with('-') && out[..out.len() - 1].ends_with(|c: char| c.is_alphanumeric()) && l.starts_with(|c: char| c.is_alphanumeric())) {
            out.push(' ');
        }
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> Vec<String> {
        clean_lines(s, ToneStyle::Traditional).iter().map(|l| l.as_string()).collect()
    }

    #[test]
    fn latex_and_markdown_residue() {
        assert_eq!(clean("16\tVNeID\t$\\geq 82\\%$\t$> 82\\%$\tCông an"), vec!["16\tVNeID\t≥ 82%\t> 82%\tCông an"]);
        assert_eq!(clean("**TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH**"), vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]);
        assert_eq!(clean("trên hệ thống <https://a.vn> và"), vec!["trên hệ thống https://a.vn và"]);
        assert_eq!(clean("| TT | Nội dung | Đơn vị |\n|---|---|---|\n| 1 | A | B |"), vec!["TT\tNội dung\tĐơn vị", "1\tA\tB"]);
    }

    #[test]
    fn furniture_removed() {
        let text = "file:///D:/x/y.xlsx\ncủa chính quyền số, giảm thiểu hồ sơ giấy và giao dịch trực tiếp.\n8 \n5.9. Đẩy mạnh ứng dụng công nghệ số chuyên dùng phục vụ nhiệm vụ\n\nhttp://www.nq57.vn/\n- 3 -\nTrang 4";
        assert_eq!(
            clean(text),
            vec!["của chính quyền số, giảm thiểu hồ sơ giấy và giao dịch trực tiếp.", "5.9. Đẩy mạnh ứng dụng công nghệ số chuyên dùng phục vụ nhiệm vụ"]
        );
    }

    #[test]
    fn table_row_numbers_kept() {
        assert_eq!(clean("I Phát triển hạ tầng\n1\nTỷ lệ phủ sóng"), vec!["I Phát triển hạ tầng", "1", "Tỷ lệ phủ sóng"]);
    }

    #[test]
    fn repeated_header_dropped() {
        let text = "TT Chỉ tiêu Đơn vị\nCơ quan chủ trì\n1 A % 100\n2 B % 90\nTT Chỉ tiêu Đơn vị\nCơ quan chủ trì\n3 C % 80";
        assert_eq!(clean(text), vec!["TT Chỉ tiêu Đơn vị", "Cơ quan chủ trì", "1 A % 100", "2 B % 90", "3 C % 80"]);
    }

    #[test]
    fn split_codes_rejoined_with_hyphen() {
        assert_eq!(clean("Nghị quyết số 57-\n\nNQ/TW, ngày"), vec!["Nghị quyết số 57-NQ/TW, ngày"]);
        assert_eq!(clean("Văn phòng HĐND-\nUBND"), vec!["Văn phòng HĐND-UBND"]);
        // A bullet is not glued to the line before.
        assert_eq!(clean("kinh tế -\n- Tăng cường"), vec!["kinh tế -", "- Tăng cường"]);
    }

    #[test]
    fn tone_placement_applied() {
        assert_eq!(clean("Uỷ ban hoà"), vec!["Ủy ban hòa"]);
    }

    #[test]
    fn join() {
        assert_eq!(join_lines(["Nghị quyết về đột ", "phá phát triển"]), "Nghị quyết về đột phá phát triển");
    }
}
