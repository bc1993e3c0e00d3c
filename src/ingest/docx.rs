//! DOCX (Office Open XML): paragraphs, list numbering and tables from the document XML.
//!
//! Output is one line per paragraph, in document order. List paragraphs get their label
//! ("1.", "a)", "-") computed from `word/numbering.xml`. A table is emitted one row per
//! line with cells separated by tabs (the TSV shape of Word → text conversions), merged
//! cells padded so columns stay aligned; paragraphs inside a cell are joined with a space
//! and tables nested in a cell are flattened into it.
//!
//! The archive is untrusted: the entry count and the inflated size of each part read are
//! bounded ([`DocxLimits`]), whatever the headers claim, so a zip bomb costs no more than
//! the limit.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;
use std::io::{Cursor, Read};

#[derive(Debug, Clone, Copy)]
pub struct DocxLimits {
    pub max_entries: usize,
    /// Largest inflated size of one XML part.
    pub max_part_bytes: u64,
}

impl Default for DocxLimits {
    fn default() -> Self {
        DocxLimits { max_entries: 10_000, max_part_bytes: 64 << 20 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocxError {
    /// A zip archive that is not a Word document; the reason says what it is.
    NotDocx(String),
    Corrupt(String),
    Bomb(String),
}

/// The text of a .docx file.
pub fn extract_text(bytes: &[u8], limits: &DocxLimits) -> Result<String, DocxError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocxError::Corrupt(format!("broken zip archive: {e}")))?;
    if zip.len() > limits.max_entries {
        return Err(DocxError::Bomb(format!("zip archive with {} entries (limit {})", zip.len(), limits.max_entries)));
    }
    let main = main_part(&mut zip, limits)?;
    let Some(main) = main else {
        return Err(DocxError::NotDocx(what_zip_is(&mut zip)));
    };
    let xml = read_part(&mut zip, &main, limits)?.ok_or_else(|| DocxError::Corrupt(format!("missing part {main}")))?;
    let numbering = match read_part(&mut zip, "word/numbering.xml", limits)? {
        Some(x) => Numbering::parse(&x).unwrap_or_default(),
        None => Numbering::default(),
    };
    body_text(&xml, numbering)
}

/// The main document part named by `_rels/.rels` (usually `word/document.xml`).
fn main_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, limits: &DocxLimits) -> Result<Option<String>, DocxError> {
    if let Some(rels) = read_part(zip, "_rels/.rels", limits)? {
        let mut reader = Reader::from_reader(rels.as_slice());
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                    let ty = attr(&e, "Type").unwrap_or_default();
                    if ty.ends_with("/officeDocument") {
                        if let Some(target) = attr(&e, "Target") {
                            let name = target.trim_start_matches('/').to_string();
                            if zip.index_for_name(&name).is_some() && name.ends_with(".xml") {
                                return Ok(Some(name));
                            }
                        }
                    }
                }
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
        }
    }
    Ok(zip.index_for_name("word/document.xml").map(|_| "word/document.xml".to_string()))
}

fn what_zip_is(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> String {
    let mut mimetype = String::new();
    if let Ok(f) = zip.by_name("mimetype") {
        let _ = f.take(200).read_to_string(&mut mimetype);
    }
    if mimetype.contains("opendocument.text") {
        "OpenDocument text (.odt), not .docx: save it as .docx or PDF".into()
    } else if zip.index_for_name("xl/workbook.xml").is_some() {
        "a spreadsheet (.xlsx), not a Word .docx document".into()
    } else if zip.index_for_name("ppt/presentation.xml").is_some() {
        "a presentation (.pptx), not a Word .docx document".into()
    } else {
        "a zip archive that is not a Word .docx document".into()
    }
}

/// Reads one part, inflating at most `max_part_bytes`.
fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str, limits: &DocxLimits) -> Result<Option<Vec<u8>>, DocxError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(DocxError::Corrupt(format!("{name}: {e}"))),
    };
    let too_big = || DocxError::Bomb(format!("{name} inflates beyond {} MiB", limits.max_part_bytes >> 20));
    if file.size() > limits.max_part_bytes {
        return Err(too_big());
    }
    let mut buf = Vec::with_capacity((file.size() as usize).min(1 << 20));
    file.take(limits.max_part_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(|e| DocxError::Corrupt(format!("{name}: {e}")))?;
    if buf.len() as u64 > limits.max_part_bytes {
        return Err(too_big());
    }
    Ok(Some(buf))
}

fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == local).map(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| a.value.to_string())
    })
}

/// List definitions: numId → levels (format, text template, start).
#[derive(Debug, Default)]
struct Numbering {
    nums: HashMap<String, String>,
    abstracts: HashMap<String, Vec<Level>>,
    /// Counters per numId, indexed by level.
    counters: HashMap<String, [u32; 9]>,
}

#[derive(Debug, Clone, Default)]
struct Level {
    fmt: String,
    text: String,
    start: u32,
}

impl Numbering {
    fn parse(xml: &[u8]) -> Option<Numbering> {
        let mut n = Numbering::default();
        let mut reader = Reader::from_reader(xml);
        let mut abs_id: Option<String> = None;
        let mut num_id: Option<String> = None;
        let mut level: Option<usize> = None;
        loop {
            let ev = reader.read_event().ok()?;
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    match e.local_name().as_ref() {
                        "abstractNum" if !empty => abs_id = attr(e, "abstractNumId"),
                        "num" if !empty => num_id = attr(e, "numId"),
                        "abstractNumId" => {
                            if let (Some(num), Some(v)) = (&num_id, attr(e, "val")) {
                                n.nums.insert(num.clone(), v);
                            }
                        }
                        "lvl" if !empty => level = attr(e, "ilvl").and_then(|v| v.parse().ok()).filter(|l: &usize| *l < 9),
                        "start" | "numFmt" | "lvlText" => {
                            if let (Some(a), Some(l)) = (&abs_id, level) {
                                let levels = n.abstracts.entry(a.clone()).or_default();
                                if levels.len() <= l {
                                    levels.resize(l + 1, Level { start: 1, ..Level::default() });
                                }
                                let v = attr(e, "val").unwrap_or_default();
                                match e.local_name().as_ref() {
                                    "start" => levels[l].start = v.parse().unwrap_or(1),
                                    "numFmt" => levels[l].fmt = v,
                                    _ => levels[l].text = v,
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(ref e) => match e.local_name().as_ref() {
                    "abstractNum" => abs_id = None,
                    "num" => num_id = None,
                    "lvl" => level = None,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Some(n)
    }

    /// The label of the next paragraph of list `num` at level `ilvl`.
    fn next_label(&mut self, num: &str, ilvl: usize) -> Option<String> {
        let ilvl = ilvl.min(8);
        let levels = self.abstracts.get(self.nums.get(num)?)?;
        let lvl = levels.get(ilvl)?.clone();
        let starts: Vec<u32> = (0..9).map(|i| levels.get(i).map_or(1, |l| l.start)).collect();
        let counters = self.counters.entry(num.to_string()).or_insert([0; 9]);
        counters[ilvl] = if counters[ilvl] == 0 { starts[ilvl] } else { counters[ilvl] + 1 };
        for c in counters.iter_mut().skip(ilvl + 1) {
            *c = 0;
        }
        if lvl.fmt == "bullet" {
            return Some("-".into());
        }
        if lvl.fmt == "none" {
            return None;
        }
        let mut label = lvl.text.clone();
        for i in (0..9).rev() {
            let key = format!("%{}", i + 1);
            if label.contains(&key) {
                let value = if counters[i] == 0 { starts[i] } else { counters[i] };
                let fmt = levels.get(i).map_or("decimal", |l| l.fmt.as_str());
                label = label.replace(&key, &format_number(value, fmt));
            }
        }
        let label = label.trim().to_string();
        (!label.is_empty()).then_some(label)
    }
}

fn format_number(n: u32, fmt: &str) -> String {
    match fmt {
        "lowerLetter" => letter(n).to_lowercase(),
        "upperLetter" => letter(n),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        _ => n.to_string(),
    }
}

fn letter(n: u32) -> String {
    if n == 0 {
        return "0".into();
    }
    let c = (b'A' + ((n - 1) % 26) as u8) as char;
    std::iter::repeat_n(c, ((n - 1) / 26 + 1) as usize).collect()
}

fn roman(mut n: u32) -> String {
    if n == 0 || n > 3999 {
        return n.to_string();
    }
    let table = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in table {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// A table being read: rows of cells; `cell` collects the current cell's paragraphs.
#[derive(Default)]
struct Table {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: Vec<String>,
    span: usize,
}

/// Paragraph being read.
#[derive(Default)]
struct Para {
    text: String,
    num_id: Option<String>,
    ilvl: usize,
}

fn body_text(xml: &[u8], mut numbering: Numbering) -> Result<String, DocxError> {
    let mut reader = Reader::from_reader(xml);
    let mut out: Vec<String> = Vec::new();
    let mut paras: Vec<Para> = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut in_text = false;
    // Depth inside content to skip: mc:Fallback (duplicates mc:Choice), deleted text, field codes.
    let mut skip = 0usize;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| DocxError::Corrupt(format!("document XML at byte {}: {e}", reader.buffer_position())))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let name = e.local_name();
                if skip > 0 {
                    if !empty {
                        skip += 1;
                    }
                    continue;
                }
                match name.as_ref() {
                    "Fallback" | "del" | "instrText" | "delText" if !empty => skip = 1,
                    "p" => {
                        paras.push(Para::default());
                        if empty {
                            finish_para(&mut paras, &mut tables, &mut out, &mut numbering);
                        }
                    }
                    "t" if !empty => in_text = true,
                    "tab" | "ptab" => {
                        if let Some(p) = paras.last_mut() {
                            p.text.push('\t');
                        }
                    }
                    "br" | "cr" => {
                        if let Some(p) = paras.last_mut() {
                            p.text.push('\n');
                        }
                    }
                    "noBreakHyphen" => {
                        if let Some(p) = paras.last_mut() {
                            p.text.push('-');
                        }
                    }
                    "numId" => {
                        if let Some(p) = paras.last_mut() {
                            p.num_id = attr(e, "val").filter(|v| v != "0");
                        }
                    }
                    "ilvl" => {
                        if let Some(p) = paras.last_mut() {
                            p.ilvl = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(0);
                        }
                    }
                    "tbl" if !empty => tables.push(Table::default()),
                    "tc" if !empty => {
                        if let Some(t) = tables.last_mut() {
                            t.cell.clear();
                            t.span = 1;
                        }
                    }
                    "gridSpan" => {
                        if let Some(t) = tables.last_mut() {
                            t.span = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(1).clamp(1, 64);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                match e.local_name().as_ref() {
                    "t" => in_text = false,
                    "p" => finish_para(&mut paras, &mut tables, &mut out, &mut numbering),
                    "tc" => {
                        if let Some(t) = tables.last_mut() {
                            let text = t.cell.join(" ");
                            t.row.push(text);
                            for _ in 1..t.span {
                                t.row.push(String::new());
                            }
                            t.cell.clear();
                        }
                    }
                    "tr" => {
                        if let Some(t) = tables.last_mut() {
                            let row = std::mem::take(&mut t.row);
                            t.rows.push(row);
                        }
                    }
                    "tbl" => {
                        if let Some(t) = tables.pop() {
                            let lines = t.rows.into_iter().map(|r| r.join("\t"));
                            match tables.last_mut() {
                                // A nested table is flattened into the enclosing cell.
                                Some(outer) => outer.cell.push(lines.collect::<Vec<_>>().join(" ").replace('\t', " ")),
                                None => out.extend(lines),
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(ref t) if in_text && skip == 0 => {
                if let Some(p) = paras.last_mut() {
                    p.text.push_str(t);
                }
            }
            Event::CData(ref t) if in_text && skip == 0 => {
                if let Some(p) = paras.last_mut() {
                    p.text.push_str(t);
                }
            }
            Event::GeneralRef(ref r) if in_text && skip == 0 => {
                if let Some(p) = paras.last_mut() {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        _ => match &**r {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            _ => None,
                        },
                    };
                    p.text.extend(resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // Unclosed elements at the end (truncated XML): keep what was read.
    while !paras.is_empty() {
        finish_para(&mut paras, &mut tables, &mut out, &mut numbering);
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

fn finish_para(paras: &mut Vec<Para>, tables: &mut [Table], out: &mut Vec<String>, numbering: &mut Numbering) {
    let Some(p) = paras.pop() else { return };
    let label = p.num_id.as_deref().and_then(|n| numbering.next_label(n, p.ilvl));
    let mut text = match label {
        Some(l) if !p.text.trim().is_empty() => format!("{l} {}", p.text.trim_start()),
        _ => p.text,
    };
    if let Some(t) = tables.last_mut() {
        // Inside a cell: one line, no tabs.
        text = text.replace(['\t', '\n'], " ");
        if !text.trim().is_empty() {
            t.cell.push(text.trim().to_string());
        }
        return;
    }
    out.push(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docx(document: &str, numbering: Option<&str>) -> Vec<u8> {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            w.start_file("word/document.xml", opts).unwrap();
            w.write_all(document.as_bytes()).unwrap();
            if let Some(n) = numbering {
                w.start_file("word/numbering.xml", opts).unwrap();
                w.write_all(n.as_bytes()).unwrap();
            }
            w.finish().unwrap();
        }
        buf.into_inner()
    }

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn paragraphs_tables_and_numbering() {
        let doc = format!(
            r#"<w:document {NS}><w:body>
            <w:p><w:r><w:t>KẾ HOẠCH</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>MỤC ĐÍCH</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t xml:space="preserve">Mục </w:t></w:r><w:r><w:t>đích &amp; yêu cầu</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>NHIỆM VỤ</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>TT</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Nội dung</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Dòng một</w:t></w:r></w:p><w:p><w:r><w:t>dòng hai</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:delText>xoá</w:delText><w:t>2026</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:t>Hết</w:t></w:r></w:p>
            </w:body></w:document>"#
        );
        let num = format!(
            r#"<w:numbering {NS}><w:abstractNum w:abstractNumId="7">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
            </w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num></w:numbering>"#
        );
        let text = extract_text(&docx(&doc, Some(&num)), &DocxLimits::default()).unwrap();
        assert_eq!(
            text,
            "KẾ HOẠCH\nI. MỤC ĐÍCH\n1. Mục đích & yêu cầu\nII. NHIỆM VỤ\nTT\tNội dung\t\n1\tDòng một dòng hai\t2026\nHết\n"
        );
    }

    #[test]
    fn zip_bomb_is_bounded() {
        let big = format!("<w:document {NS}><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>", "a".repeat(3 << 20));
        let limits = DocxLimits { max_part_bytes: 1 << 20, ..DocxLimits::default() };
        assert!(matches!(extract_text(&docx(&big, None), &limits), Err(DocxError::Bomb(_))));
    }

    #[test]
    fn other_zips_are_named() {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file("mimetype", zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(b"application/vnd.oasis.opendocument.text").unwrap();
            w.finish().unwrap();
        }
        let err = extract_text(&buf.into_inner(), &DocxLimits::default()).unwrap_err();
        assert!(matches!(err, DocxError::NotDocx(ref m) if m.contains(".odt")), "{err:?}");
    }
}
