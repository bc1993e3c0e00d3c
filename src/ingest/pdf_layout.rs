//! Page layout from positioned glyphs: lines, and ruled tables rebuilt as TSV rows.
//!
//! [`Collector`] is a `pdf_extract::OutputDev` that keeps, for every page, each glyph's
//! position, advance and font size (no formatting, one `String` per page for the glyph
//! text) and the horizontal and vertical line segments the page draws. [`page_text`]
//! then lays a page out:
//!
//! * **Tables.** Vertical rules that overlap vertically form a band; a band with at least
//!   three distinct rule positions (two columns) is a table. Its rows are the gaps between
//!   the horizontal rules crossing it (or, without interior horizontal rules, its text
//!   baselines); each row's columns are the gaps between the vertical rules that cross
//!   that row, so merged cells and tables of different shapes stay apart. Every glyph
//!   inside the table goes to its (row, column) cell; the lines of a cell are joined with
//!   spaces, and each row comes out as one line of tab-separated cells — the TSV shape a
//!   word processor's text export gives, which the segmenter reads as a table.
//! * **Everything else** follows the content stream, as pdf-extract's `PlainTextOutput`
//!   does: a new line when the baseline moves, a space for a gap between glyphs. A gap on
//!   the same baseline that crosses a vertical rule, or is wider than [`CELL_GAP`] em,
//!   also starts a new line, so the cells of an unruled layout come out one per line, as
//!   in `pdftotext` dumps, instead of run together with spaces.

use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

/// One glyph: `x`..`end` horizontally, baseline `y` (growing downwards), font size, and
/// its text at `start..start + len` in [`PageContent::text`].
#[derive(Debug, Clone, Copy)]
pub struct Glyph {
    pub x: f64,
    pub end: f64,
    pub y: f64,
    pub size: f64,
    pub start: u32,
    pub len: u32,
}

/// A straight rule: vertical rules have `at` = x and `from..to` in y; horizontal rules
/// have `at` = y and `from..to` in x.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub at: f64,
    pub from: f64,
    pub to: f64,
}

#[derive(Debug, Default)]
pub struct PageContent {
    /// Width of the media box.
    pub width: f64,
    pub text: String,
    pub glyphs: Vec<Glyph>,
    pub vertical: Vec<Rule>,
    pub horizontal: Vec<Rule>,
}

impl PageContent {
    fn glyph_text(&self, g: &Glyph) -> &str {
        &self.text[g.start as usize..(g.start + g.len) as usize]
    }
}

/// Most rules kept per page (a crafted page can draw millions of segments).
const MAX_RULES: usize = 20_000;

/// Collects every page's glyphs and rules in one pass over the document.
#[derive(Default)]
pub struct Collector {
    pub pages: Vec<PageContent>,
    page_height: f64,
}

impl Collector {
    fn page(&mut self) -> &mut PageContent {
        if self.pages.is_empty() {
            self.pages.push(PageContent::default());
        }
        self.pages.last_mut().unwrap()
    }

    fn add_path(&mut self, ctm: &Transform, path: &Path) {
        let h = self.page_height;
        let at = |x: f64, y: f64| (x * ctm.m11 + y * ctm.m21 + ctm.m31, h - (x * ctm.m12 + y * ctm.m22 + ctm.m32));
        let page = self.page();
        let mut segment = |(x0, y0): (f64, f64), (x1, y1): (f64, f64)| {
            if page.vertical.len() + page.horizontal.len() >= MAX_RULES {
                return;
            }
            if (x1 - x0).abs() < 2.0 && (y1 - y0).abs() > 4.0 {
                page.vertical.push(Rule { at: (x0 + x1) / 2.0, from: y0.min(y1), to: y0.max(y1) });
            } else if (y1 - y0).abs() < 2.0 && (x1 - x0).abs() > 4.0 {
                page.horizontal.push(Rule { at: (y0 + y1) / 2.0, from: x0.min(x1), to: x0.max(x1) });
            }
        };
        let mut current = None;
        let mut first = None;
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    current = Some(at(x, y));
                    first = current;
                }
                PathOp::LineTo(x, y) => {
                    let p = at(x, y);
                    if let Some(c) = current {
                        segment(c, p);
                    }
                    current = Some(p);
                }
                PathOp::Rect(x, y, w, hh) => {
                    let (a, b) = (at(x, y), at(x + w, y + hh));
                    let (w, hh) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
                    if w < 2.0 || hh < 2.0 {
                        // A thin rectangle drawn as a line.
                        segment(a, b);
                    } else {
                        segment(a, (a.0, b.1));
                        segment((b.0, a.1), b);
                        segment(a, (b.0, a.1));
                        segment((a.0, b.1), b);
                    }
                }
                PathOp::CurveTo(.., x, y) => current = Some(at(x, y)),
                PathOp::Close => {
                    if let (Some(c), Some(f)) = (current, first) {
                        segment(c, f);
                    }
                    current = first;
                }
            }
        }
    }
}

impl OutputDev for Collector {
    fn begin_page(&mut self, _: u32, media_box: &MediaBox, _: Option<(f64, f64, f64, f64)>) -> Result<(), OutputError> {
        self.page_height = media_box.ury - media_box.lly;
        self.pages.push(PageContent { width: media_box.urx - media_box.llx, ..PageContent::default() });
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(&mut self, trm: &Transform, width: f64, _: f64, font_size: f64, ch: &str) -> Result<(), OutputError> {
        if ch.is_empty() {
            return Ok(());
        }
        // Position with y growing downwards; font size after the text matrix.
        let (x, y) = (trm.m31, self.page_height - trm.m32);
        let size = ((font_size * (trm.m11 + trm.m21)) * (font_size * (trm.m12 + trm.m22))).abs().sqrt();
        let page = self.page();
        let start = page.text.len();
        page.text.push_str(ch);
        if !(x.is_finite() && y.is_finite() && size.is_finite()) {
            page.text.truncate(start);
            return Ok(());
        }
        page.glyphs.push(Glyph { x, end: x + width * size, y, size, start: start as u32, len: ch.len() as u32 });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn stroke(&mut self, ctm: &Transform, _: &ColorSpace, _: &[f64], path: &Path) -> Result<(), OutputError> {
        self.add_path(ctm, path);
        Ok(())
    }
    fn fill(&mut self, ctm: &Transform, _: &ColorSpace, _: &[f64], path: &Path) -> Result<(), OutputError> {
        self.add_path(ctm, path);
        Ok(())
    }
}

/// Horizontal gap, in font sizes, that separates table cells rather than words.
const CELL_GAP: f64 = 1.0;
/// Positions closer than this (points) are the same rule.
const SNAP: f64 = 2.0;

/// A ruled table: its box, and per row the top/bottom and the column borders.
#[derive(Debug)]
struct Table {
    top: f64,
    bottom: f64,
    left: f64,
    right: f64,
    rows: Vec<Row>,
}

#[derive(Debug)]
struct Row {
    top: f64,
    bottom: f64,
    /// Column borders, left to right.
    borders: Vec<f64>,
}

impl Table {
    fn contains(&self, g: &Glyph) -> bool {
        let cx = (g.x + g.end) / 2.0;
        cx > self.left && cx < self.right && g.y > self.top && g.y <= self.bottom + g.size * 0.2
    }

    /// (row, column) of a glyph inside the table.
    fn cell(&self, g: &Glyph) -> Option<(usize, usize)> {
        let cx = (g.x + g.end) / 2.0;
        let r = self.rows.iter().position(|r| g.y > r.top && g.y <= r.bottom + g.size * 0.2)?;
        let borders = &self.rows[r].borders;
        let c = borders.partition_point(|&b| b < cx).saturating_sub(1).min(borders.len().saturating_sub(2));
        Some((r, c))
    }
}

/// Sorted, de-duplicated positions (values within [`SNAP`] merge to their first).
fn snap(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    let mut out: Vec<f64> = Vec::with_capacity(v.len());
    for x in v {
        if out.last().is_none_or(|&l| x - l > SNAP) {
            out.push(x);
        }
    }
    out
}

fn find_tables(page: &PageContent) -> Vec<Table> {
    let mut vertical = page.vertical.clone();
    vertical.sort_by(|a, b| a.from.total_cmp(&b.from));
    let mut tables = Vec::new();
    let mut i = 0;
    while i < vertical.len() {
        // A band: vertical rules chained by vertical overlap.
        let (top, mut bottom) = (vertical[i].from, vertical[i].to);
        let mut j = i + 1;
        while j < vertical.len() && vertical[j].from <= bottom + SNAP {
            bottom = bottom.max(vertical[j].to);
            j += 1;
        }
        let band = &vertical[i..j];
        i = j;
        let xs = snap(band.iter().map(|r| r.at).collect());
        if xs.len() < 3 {
            continue;
        }
        let (left, right) = (xs[0], xs[xs.len() - 1]);
        let mut ys: Vec<f64> = page
            .horizontal
            .iter()
            .filter(|h| h.at > top - SNAP && h.at < bottom + SNAP && h.to > left + SNAP && h.from < right - SNAP)
            .map(|h| h.at)
            .collect();
        ys.push(top);
        ys.push(bottom);
        let mut ys = snap(ys);
        if ys.len() <= 2 {
            // No interior horizontal rules: one row per text baseline.
            let inside: Vec<f64> = page
                .glyphs
                .iter()
                .filter(|g| {
                    let cx = (g.x + g.end) / 2.0;
                    cx > left && cx < right && g.y > top && g.y <= bottom
                })
                .map(|g| g.y + g.size * 0.3)
                .collect();
            ys.extend(inside);
            ys = snap(ys);
        }
        let rows = ys
            .windows(2)
            .filter(|w| w[1] - w[0] > SNAP)
            .map(|w| {
                let mid = (w[0] + w[1]) / 2.0;
                let borders = snap(band.iter().filter(|r| r.from <= mid && r.to >= mid).map(|r| r.at).collect());
                Row { top: w[0], bottom: w[1], borders: if borders.len() >= 2 { borders } else { vec![left, right] } }
            })
            .collect();
        tables.push(Table { top, bottom, left, right, rows });
    }
    tables
}

/// Joins the glyphs of a table cell (in content order) into one line: a space for a gap
/// or a change of line, except where a single word too long for the cell was broken at
/// its right border ("HĐND&UBN" + "D").
struct Joiner<'a> {
    page: &'a PageContent,
    left: f64,
    right: f64,
    out: String,
    last_end: f64,
    last_y: f64,
    /// Start of the current line, and whether it has a space in it.
    line_x0: f64,
    line_spaced: bool,
}

impl<'a> Joiner<'a> {
    fn new(page: &'a PageContent, left: f64, right: f64) -> Self {
        Joiner { page, left, right, out: String::new(), last_end: f64::INFINITY, last_y: f64::NAN, line_x0: left, line_spaced: false }
    }
    fn push(&mut self, g: &Glyph) {
        let t = self.page.glyph_text(g);
        if self.out.is_empty() {
            self.line_x0 = g.x;
        } else {
            let new_line = (g.y - self.last_y).abs() > g.size * 0.5;
            if new_line {
                // The padding on the right is about the padding on the left.
                let broken_word = !self.line_spaced && self.right - self.last_end < (self.line_x0 - self.left).max(0.0) + g.size * 0.5;
                if !broken_word && !self.out.ends_with(' ') {
                    self.out.push(' ');
                }
                self.line_x0 = g.x;
                self.line_spaced = false;
            } else if g.x > self.last_end + g.size * 0.1 && !self.out.ends_with(' ') {
                self.out.push(' ');
                self.line_spaced = true;
            }
        }
        if t.chars().any(char::is_whitespace) {
            self.line_spaced = true;
            self.out.extend(t.chars().map(|c| if c.is_whitespace() { ' ' } else { c }));
        } else {
            self.out.push_str(t);
        }
        self.last_end = g.end;
        self.last_y = g.y;
    }
}

fn table_text(page: &PageContent, table: &Table, members: &[(usize, (usize, usize))], out: &mut String) {
    let mut cells: Vec<Vec<Joiner>> = table
        .rows
        .iter()
        .map(|r| {
            if r.borders.len() < 2 {
                return vec![Joiner::new(page, table.left, table.right)];
            }
            r.borders.windows(2).map(|b| Joiner::new(page, b[0], b[1])).collect()
        })
        .collect();
    for &(g, (r, c)) in members {
        if let Some(cell) = cells.get_mut(r).and_then(|row| row.get_mut(c)) {
            cell.push(&page.glyphs[g]);
        }
    }
    for row in cells {
        if row.iter().all(|c| c.out.trim().is_empty()) {
            continue;
        }
        let line: Vec<String> = row.iter().map(|c| c.out.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        out.push_str(line.join("\t").trim_end());
        out.push('\n');
    }
}

/// A line of running text, or a rebuilt table (`table`: its rows, never joined).
struct Line {
    text: String,
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    /// Where the first word ends (until the first gap).
    word_end: f64,
    table: bool,
}

/// The text of every page. A page whose last line runs on to the first line of the next
/// page (as [`soft_wraps`] judges lines within a page) ends with a space instead of a
/// line break.
pub fn pages_text(pages: &[PageContent]) -> Vec<String> {
    let laid: Vec<Vec<Line>> = pages.iter().map(lay_out).collect();
    let pitches = Pitches::of(&laid);
    // The right margin: where the longest lines end, over all pages of the same width (a
    // page of short lines says nothing about it).
    let margin = |width: f64| {
        laid.iter()
            .zip(pages)
            .filter(|(_, p)| (p.width - width).abs() < 1.0)
            .flat_map(|(l, _)| l.iter().filter(|l| is_prose(l)).map(|l| l.x1))
            .fold(f64::MIN, f64::max)
    };
    let mut margins: Vec<(f64, f64)> = Vec::new();
    let mut out = Vec::with_capacity(laid.len());
    for (k, lines) in laid.iter().enumerate() {
        let width = pages[k].width;
        let m = match margins.iter().find(|m| (m.0 - width).abs() < 1.0) {
            Some(m) => m.1,
            None => {
                let m = margin(width);
                margins.push((width, m));
                m
            }
        };
        let (joins, last_reaches_margin) = soft_wraps(lines, &pitches, m);
        let mut text = render(lines, &joins);
        let next_first = laid.get(k + 1).and_then(|l| l.first()).filter(|f| !f.table);
        if let (Some(f), Some(last)) = (next_first, lines.last()) {
            if last_reaches_margin && f.x0 <= last.x0 + last.size * 0.5 && (f.size - last.size).abs() < 0.5 {
                text.push(' ');
            }
        }
        out.push(text);
    }
    out
}

/// The text of one page (see the module documentation).
#[cfg(test)]
pub fn page_text(page: &PageContent) -> String {
    let lines = lay_out(page);
    let margin = lines.iter().filter(|l| is_prose(l)).map(|l| l.x1).fold(f64::MIN, f64::max);
    let (joins, _) = soft_wraps(&lines, &Pitches::of(std::slice::from_ref(&lines)), margin);
    render(&lines, &joins)
}

/// The document's line pitch for each font size (in half points), where its paragraphs
/// are visibly spaced: the smallest step between consecutive lines of that size that
/// occurs at least twice, kept only if some steps are clearly wider (paragraph spacing)
/// and it is not itself a paragraph step (at most 1.7 font sizes).
struct Pitches(Vec<(i64, f64)>);

impl Pitches {
    fn of(pages: &[Vec<Line>]) -> Pitches {
        let mut steps: Vec<(i64, f64)> = Vec::new();
        for lines in pages {
            for w in lines.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                let dy = b.y - a.y;
                if is_prose(a) && is_prose(b) && (a.size - b.size).abs() < 0.5 && dy > a.size * 0.8 {
                    steps.push((size_class(a.size), dy));
                }
            }
        }
        steps.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut out = Vec::new();
        for class in steps.chunk_by(|a, b| a.0 == b.0) {
            let dys: Vec<f64> = class.iter().map(|s| s.1).collect();
            let Some(pitch) = dys.windows(2).find(|w| w[1] - w[0] < 1.0).map(|w| w[0]) else { continue };
            let size = class[0].0 as f64 / 2.0;
            if pitch <= size * 1.7 && dys.iter().any(|&dy| dy >= pitch * 1.25 && dy < pitch * 4.0) {
                out.push((class[0].0, pitch));
            }
        }
        Pitches(out)
    }

    fn get(&self, size: f64) -> Option<f64> {
        let c = size_class(size);
        self.0.iter().find(|p| p.0 == c).map(|p| p.1)
    }
}

fn size_class(size: f64) -> i64 {
    (size * 2.0).round() as i64
}

fn is_prose(l: &Line) -> bool {
    !l.table && !l.text.trim().is_empty()
}

fn lay_out(page: &PageContent) -> Vec<Line> {
    let tables = find_tables(page);
    // Which table (and cell) each glyph belongs to.
    let mut in_table: Vec<Option<usize>> = vec![None; page.glyphs.len()];
    let mut members: Vec<Vec<(usize, (usize, usize))>> = vec![Vec::new(); tables.len()];
    if !tables.is_empty() {
        for (i, g) in page.glyphs.iter().enumerate() {
            if let Some(t) = tables.iter().position(|t| t.contains(g)) {
                if let Some(cell) = tables[t].cell(g) {
                    in_table[i] = Some(t);
                    members[t].push((i, cell));
                }
            }
        }
    }
    let mut emitted = vec![false; tables.len()];
    let mut lines: Vec<Line> = Vec::new();
    let mut cur: Option<Line> = None;
    let mut last_end = f64::INFINITY;
    let mut last_y = 0.0;
    for (i, g) in page.glyphs.iter().enumerate() {
        if let Some(t) = in_table[i] {
            if !emitted[t] {
                emitted[t] = true;
                lines.extend(cur.take());
                let mut text = String::new();
                table_text(page, &tables[t], &members[t], &mut text);
                let tb = &tables[t];
                lines.push(Line { text, x0: tb.left, x1: tb.right, y: tb.bottom, size: g.size, word_end: tb.right, table: true });
            }
            continue;
        }
        let size = g.size;
        let mut new_line = true;
        if let Some(line) = cur.as_mut() {
            let dy = (g.y - last_y).abs();
            new_line = dy > size * 1.5
                || (g.x < last_end && dy > size * 0.5)
                || (dy <= size * 0.5
                    && g.x > last_end
                    && (g.x > last_end + size * CELL_GAP || crosses_rule(page, last_end, g.x, g.y, size)));
            if !new_line {
                let t = page.glyph_text(g);
                if g.x > last_end + size * 0.1 && !line.text.ends_with(' ') {
                    line.text.push(' ');
                }
                if line.word_end.is_nan() && (line.text.ends_with(' ') || t.starts_with(' ')) {
                    line.word_end = last_end;
                }
                line.text.push_str(t);
                line.x1 = line.x1.max(g.end);
                line.size = line.size.max(size);
            }
        }
        if new_line {
            lines.extend(cur.take());
            cur = Some(Line { text: page.glyph_text(g).to_string(), x0: g.x, x1: g.end, y: g.y, size, word_end: f64::NAN, table: false });
        }
        last_y = g.y;
        last_end = g.end;
    }
    lines.extend(cur.take());
    lines
}

fn render(lines: &[Line], joins: &[bool]) -> String {
    let len: usize = lines.iter().map(|l| l.text.len() + 2).sum();
    let mut text = String::with_capacity(len);
    for (k, line) in lines.iter().enumerate() {
        if line.table {
            // A table stands apart from the text around it.
            if !text.is_empty() && !text.ends_with("\n\n") {
                text.push('\n');
            }
            text.push_str(&line.text);
            text.push('\n');
        } else {
            let t = line.text.trim_end();
            text.push_str(t);
            if !joins.get(k).copied().unwrap_or(false) {
                text.push('\n');
            } else if !attached_hyphen(t) {
                // "359/KH-" + "UBND" continues without a space, as in `normalize`.
                text.push(' ');
            }
        }
    }
    if text.ends_with('\n') {
        text.pop();
    }
    text
}

/// For each line, whether it wraps onto the next one (same paragraph), judged from the
/// layout: where the document shows paragraph spacing ([`Pitches`]), a line that reaches
/// the right margin, followed at the line pitch by a line of the same size that
/// starts at (or left of) its left edge, continues on that line. Without such evidence
/// lines stay as they are (the segmenter rejoins wrapped prose). Also whether the last
/// line reaches the margin (it may continue on the next page).
fn soft_wraps(lines: &[Line], pitches: &Pitches, margin: f64) -> (Vec<bool>, bool) {
    let mut joins = vec![false; lines.len()];
    let full = |l: &Line| is_prose(l) && pitches.get(l.size).is_some() && l.x1 >= margin - l.size * 5.0;
    for k in 0..lines.len().saturating_sub(1) {
        let (a, b) = (&lines[k], &lines[k + 1]);
        // The next line's first word would not have fit after this line.
        let first_word = if b.word_end.is_nan() { b.x1 } else { b.word_end } - b.x0;
        let no_room = is_prose(a) && pitches.get(a.size).is_some() && a.x1 + a.size * 0.3 + first_word >= margin;
        if !(full(a) || no_room) || !is_prose(b) || (a.size - b.size).abs() >= 0.5 {
            continue;
        }
        let pitch = pitches.get(a.size).unwrap_or(0.0);
        let dy = b.y - a.y;
        joins[k] = dy > a.size * 0.5 && dy <= pitch * 1.12 && b.x0 <= a.x0 + a.size * 0.5;
    }
    (joins, lines.last().is_some_and(full))
}

/// The line ends with a hyphen attached to a word or number ("KH-").
fn attached_hyphen(t: &str) -> bool {
    let mut rev = t.chars().rev();
    rev.next() == Some('-') && rev.next().is_some_and(char::is_alphanumeric)
}

fn crosses_rule(page: &PageContent, x0: f64, x1: f64, y: f64, size: f64) -> bool {
    page.vertical.iter().any(|r| r.at > x0 && r.at < x1 && y >= r.from - size * 0.2 && y - size * 0.5 <= r.to)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page from (x, y, text) words set in 10 pt with 5 pt per char.
    fn page(words: &[(f64, f64, &str)], vertical: &[(f64, f64, f64)], horizontal: &[(f64, f64, f64)]) -> PageContent {
        let mut p = PageContent::default();
        for &(x, y, w) in words {
            for (k, ch) in w.chars().enumerate() {
                let start = p.text.len() as u32;
                p.text.push(ch);
                let x = x + 5.0 * k as f64;
                p.glyphs.push(Glyph { x, end: x + 5.0, y, size: 10.0, start, len: ch.len_utf8() as u32 });
            }
        }
        p.vertical = vertical.iter().map(|&(at, from, to)| Rule { at, from, to }).collect();
        p.horizontal = horizontal.iter().map(|&(at, from, to)| Rule { at, from, to }).collect();
        p
    }

    #[test]
    fn prose_lines_follow_baselines() {
        let p = page(&[(10.0, 20.0, "Một"), (30.0, 20.0, "hai"), (10.0, 32.0, "ba")], &[], &[]);
        assert_eq!(page_text(&p), "Một hai\nba");
    }

    #[test]
    fn ruled_table_rows_become_tsv_with_wrapped_cells_joined() {
        // Columns at x 0 | 50 | 200 | 260, rows between y 0, 30, 60.
        let v = [(0.0, 0.0, 60.0), (50.0, 0.0, 60.0), (200.0, 0.0, 60.0), (260.0, 0.0, 60.0)];
        let h = [(0.0, 0.0, 260.0), (30.0, 0.0, 260.0), (60.0, 0.0, 260.0)];
        let p = page(
            &[
                (5.0, 10.0, "TT"),
                (55.0, 10.0, "Nội"),
                (75.0, 10.0, "dung"),
                (205.0, 10.0, "Chỉ"),
                (205.0, 22.0, "tiêu"),
                (5.0, 40.0, "1"),
                (55.0, 40.0, "Tỷ"),
                (70.0, 40.0, "lệ"),
                (205.0, 40.0, "90%"),
                (55.0, 52.0, "số"),
                (5.0, 75.0, "Sau"),
            ],
            &v,
            &h,
        );
        assert_eq!(page_text(&p), "TT\tNội dung\tChỉ tiêu\n1\tTỷ lệ số\t90%\n\nSau");
    }

    #[test]
    fn empty_cells_keep_their_column() {
        let v = [(0.0, 0.0, 30.0), (50.0, 0.0, 30.0), (100.0, 0.0, 30.0), (150.0, 0.0, 30.0)];
        let h = [(0.0, 0.0, 150.0), (30.0, 0.0, 150.0)];
        let p = page(&[(5.0, 10.0, "a"), (105.0, 10.0, "c")], &v, &h);
        assert_eq!(page_text(&p), "a\t\tc\n");
    }

    #[test]
    fn wrapped_lines_rejoin_where_paragraphs_are_spaced() {
        // Line pitch 12, paragraph spacing 20; lines of 30 chars reach the margin.
        let long1 = "Một hai ba bốn năm sáu bảy tám";
        let long2 = "Chín mười một hai ba bốn năm s";
        let p = page(&[(10.0, 20.0, long1), (10.0, 32.0, "số 12 ngày 3 của UBND, số 4/KH-"), (10.0, 44.0, "UBND"), (10.0, 64.0, long2), (10.0, 76.0, "tám")], &[], &[]);
        assert_eq!(page_text(&p), format!("{long1} số 12 ngày 3 của UBND, số 4/KH-UBND\n{long2} tám"));
        // Without paragraph spacing nothing is joined: the segmenter decides.
        let p = page(&[(10.0, 20.0, long1), (10.0, 32.0, "bốn"), (10.0, 44.0, long2), (10.0, 56.0, "tám")], &[], &[]);
        assert_eq!(page_text(&p), format!("{long1}\nbốn\n{long2}\ntám"));
    }

    #[test]
    fn a_box_is_not_a_table() {
        let v = [(0.0, 0.0, 30.0), (150.0, 0.0, 30.0)];
        let p = page(&[(5.0, 10.0, "a"), (105.0, 10.0, "c")], &v, &[]);
        assert_eq!(page_text(&p), "a\nc");
    }
}
