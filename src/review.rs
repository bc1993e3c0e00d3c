//! The review page: one self-contained HTML file (inline CSS and JS, no network) that
//! shows the source text with line numbers beside the extracted document, tasks,
//! indicators and warnings.
//!
//! - Clicking an item highlights its source span (the lines, and the exact byte range
//!   inside them) and scrolls to it; clicking a source line highlights the items whose
//!   span covers it.
//! - Items with warnings (a warning whose span overlaps the item's) or with a confidence
//!   under [`LOW_CONFIDENCE`] are marked.
//! - Filters: by agency (lead, support or either), by deadline (kind, or text matched
//!   against the raw deadline and its date), flagged items only, free text.
//!
//! Every piece of document text is HTML-escaped; the page declares a Content Security
//! Policy that forbids any network access.

use crate::extract::confidence::{warnings_covering, LOW_CONFIDENCE};
use crate::fold::fold;
use crate::model::{AgencyRef, Deadline, DeadlineKind, Document, Indicator, Span, Task, Warning};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Options of the review page.
#[derive(Debug, Clone)]
pub struct ReviewOptions {
    /// Items whose confidence is below this are flagged.
    pub low_confidence: f32,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions { low_confidence: LOW_CONFIDENCE }
    }
}

/// HTML-escapes text for element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A source line as shown: control characters other than tab become spaces, so byte
/// offsets inside the shown text stay those of the source (each is one byte).
fn shown_line(line: &str) -> String {
    line.chars().map(|c| if c.is_control() && c != '\t' { ' ' } else { c }).collect()
}

fn deadline_kind_str(k: DeadlineKind) -> &'static str {
    match k {
        DeadlineKind::Date => "date",
        DeadlineKind::Month => "month",
        DeadlineKind::Year => "year",
        DeadlineKind::Range => "range",
        DeadlineKind::Recurring => "recurring",
        DeadlineKind::Conditional => "conditional",
        DeadlineKind::Unspecified => "unspecified",
    }
}

fn span_attrs(span: Option<&Span>) -> String {
    match span {
        Some(s) if s.line_start > 0 => format!(
            r#" data-start="{}" data-end="{}" data-ls="{}" data-le="{}""#,
            s.start,
            s.end,
            s.line_start,
            s.line_end.max(s.line_start)
        ),
        _ => String::new(),
    }
}

fn span_label(span: Option<&Span>) -> String {
    match span {
        Some(s) if s.line_start > 0 && s.line_end > s.line_start => format!("L{}–{}", s.line_start, s.line_end),
        Some(s) if s.line_start > 0 => format!("L{}", s.line_start),
        _ => "no span".into(),
    }
}

fn agencies_html(list: &[AgencyRef]) -> String {
    list.iter()
        .map(|a| format!(r#"<span class="ag" title="{}">{}</span>"#, esc(&a.id), esc(&a.name)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn agency_ids(list: &[AgencyRef]) -> String {
    let ids: Vec<&str> = list.iter().map(|a| a.id.as_str()).collect();
    format!(" {} ", ids.join(" "))
}

fn deadline_html(d: &Deadline) -> String {
    let mut s = esc(&d.raw);
    let typed = match (&d.date, &d.until) {
        (Some(a), Some(b)) => format!("{a} → {b}"),
        (Some(a), None) => a.clone(),
        _ => String::new(),
    };
    let _ = write!(s, r#" <span class="dk">{}{}</span>"#, deadline_kind_str(d.kind), if typed.is_empty() { String::new() } else { format!(" {}", esc(&typed)) });
    s
}

fn row(out: &mut String, label: &str, value_html: &str) {
    if !value_html.is_empty() {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(label), value_html);
    }
}

/// Flags shared by tasks and indicators.
struct Flags<'a> {
    warnings: Vec<&'a Warning>,
    low: bool,
}

fn flags<'a>(span: &Span, confidence: Option<f32>, doc: &'a Document, opts: &ReviewOptions) -> Flags<'a> {
    let warnings = if span.line_start > 0 || span.end > span.start { warnings_covering(span, &doc.warnings) } else { Vec::new() };
    Flags { warnings, low: confidence.is_some_and(|c| c < opts.low_confidence) }
}

fn badges(out: &mut String, confidence: Option<f32>, f: &Flags) {
    if let Some(c) = confidence {
        let _ = write!(out, r#" <span class="conf{}" title="confidence">{:.2}</span>"#, if f.low { " lowc" } else { "" }, c);
    }
    if !f.warnings.is_empty() {
        let _ = write!(out, r#" <span class="wb" title="warnings">⚠ {}</span>"#, f.warnings.len());
    }
}

fn warn_list(out: &mut String, f: &Flags) {
    if f.warnings.is_empty() {
        return;
    }
    out.push_str(r#"<ul class="warns">"#);
    for w in &f.warnings {
        let _ = write!(out, "<li><b>{}</b> {} <span class=\"sp\">{}</span></li>", esc(&w.code), esc(&w.message), span_label(w.span.as_ref()));
    }
    out.push_str("</ul>");
}

fn item_classes(kind: &str, f: &Flags) -> String {
    let mut c = format!("item {kind}");
    if !f.warnings.is_empty() {
        c.push_str(" warn");
    }
    if f.low {
        c.push_str(" low");
    }
    c
}

fn task_html(out: &mut String, t: &Task, doc: &Document, opts: &ReviewOptions) {
    let f = flags(&t.span, t.confidence, doc, opts);
    let (dk, draw) = match &t.deadline {
        Some(d) => (deadline_kind_str(d.kind), format!("{} {} {}", d.raw, d.date.as_deref().unwrap_or(""), d.until.as_deref().unwrap_or(""))),
        None => ("none", String::new()),
    };
    let _ = write!(
        out,
        r#"<div class="{}" tabindex="0" data-id="{}"{} data-lead="{}" data-support="{}" data-dk="{}" data-draw="{}" data-text="{}">"#,
        item_classes("task", &f),
        esc(&t.id),
        span_attrs(Some(&t.span)),
        esc(&agency_ids(&t.lead)),
        esc(&agency_ids(&t.support)),
        dk,
        esc(&fold(&draw)),
        esc(&fold(&format!("{} {}", t.text, t.output.as_deref().unwrap_or(""))))
    );
    out.push_str(r#"<div class="head">"#);
    if let Some(n) = &t.number {
        let _ = write!(out, r#"<span class="num">{}</span> "#, esc(n));
    }
    let loc: Vec<&str> = [t.table.as_deref(), t.section.as_deref()].into_iter().flatten().collect();
    let _ = write!(
        out,
        r#"<span class="org">{}{}</span> <span class="id">{}</span> <span class="sp">{}</span>"#,
        esc(&format!("{:?}", t.origin).to_lowercase()),
        if loc.is_empty() { String::new() } else { format!(" · {}", esc(&loc.join(" · "))) },
        esc(&t.id),
        span_label(Some(&t.span))
    );
    badges(out, t.confidence, &f);
    out.push_str("</div>");
    let _ = write!(out, r#"<div class="text">{}</div><dl>"#, esc(&t.text));
    row(out, "Chủ trì", &agencies_html(&t.lead));
    row(out, "Phối hợp", &agencies_html(&t.support));
    row(out, "Sản phẩm", &t.output.as_deref().map(esc).unwrap_or_default());
    row(out, "Thời hạn", &t.deadline.as_ref().map(deadline_html).unwrap_or_default());
    out.push_str("</dl>");
    warn_list(out, &f);
    out.push_str("</div>\n");
}

fn indicator_html(out: &mut String, i: &Indicator, doc: &Document, opts: &ReviewOptions) {
    let f = flags(&i.span, i.confidence, doc, opts);
    let periods: Vec<String> = i.targets.iter().map(|t| format!("{} {}", t.period.as_deref().unwrap_or(""), t.raw)).collect();
    let _ = write!(
        out,
        r#"<div class="{}" tabindex="0" data-id="{}"{} data-lead="{}" data-support="{}" data-dk="indicator" data-draw="{}" data-text="{}">"#,
        item_classes("indicator", &f),
        esc(&i.id),
        span_attrs(Some(&i.span)),
        esc(&agency_ids(&i.lead)),
        esc(&agency_ids(&i.support)),
        esc(&fold(&periods.join(" "))),
        esc(&fold(&format!("{} {}", i.name, i.group.as_deref().unwrap_or(""))))
    );
    out.push_str(r#"<div class="head">"#);
    if let Some(n) = &i.number {
        let _ = write!(out, r#"<span class="num">{}</span> "#, esc(n));
    }
    let loc: Vec<&str> = [i.table.as_deref(), i.group.as_deref()].into_iter().flatten().collect();
    let _ = write!(
        out,
        r#"<span class="org">{}{}</span> <span class="id">{}</span> <span class="sp">{}</span>"#,
        esc(&format!("{:?}", i.origin).to_lowercase()),
        if loc.is_empty() { String::new() } else { format!(" · {}", esc(&loc.join(" · "))) },
        esc(&i.id),
        span_label(Some(&i.span))
    );
    badges(out, i.confidence, &f);
    out.push_str("</div>");
    let _ = write!(out, r#"<div class="text">{}</div><dl>"#, esc(&i.name));
    row(out, "Đơn vị tính", &i.unit.as_deref().map(esc).unwrap_or_default());
    if !i.targets.is_empty() {
        let mut t = String::from(r#"<table class="tg">"#);
        for tg in &i.targets {
            let _ = write!(t, "<tr><th>{}</th><td>{}</td></tr>", esc(tg.period.as_deref().unwrap_or("—")), esc(&tg.raw));
        }
        t.push_str("</table>");
        row(out, "Chỉ tiêu", &t);
    }
    row(out, "Chủ trì", &agencies_html(&i.lead));
    row(out, "Phối hợp", &agencies_html(&i.support));
    row(out, "Chỉ đạo", &i.director.as_deref().map(esc).unwrap_or_default());
    row(out, "Theo dõi", &i.monitor.as_deref().map(esc).unwrap_or_default());
    row(out, "Sản phẩm", &i.output.as_deref().map(esc).unwrap_or_default());
    out.push_str("</dl>");
    warn_list(out, &f);
    out.push_str("</div>\n");
}

fn metadata_html(out: &mut String, doc: &Document) {
    let m = &doc.document;
    let _ = write!(out, r#"<div class="item meta" tabindex="0" data-id="document"{}><dl>"#, span_attrs(m.span.as_ref()));
    let opt = |v: &Option<String>| v.as_deref().map(esc).unwrap_or_default();
    row(out, "Loại", &opt(&m.doc_type));
    row(out, "Số", &opt(&m.number));
    row(out, "Ngày", &opt(&m.date));
    row(out, "Nơi ban hành", &opt(&m.place));
    row(out, "Cơ quan", &opt(&m.issuer));
    row(out, "Phường", &opt(&m.ward));
    row(out, "Trích yếu", &opt(&m.title));
    if let Some(s) = &m.signer {
        row(out, "Người ký", &format!("{}{}", esc(&s.name), s.title.as_deref().map(|t| format!(" ({})", esc(t))).unwrap_or_default()));
    }
    out.push_str("</dl></div>\n");
    if !m.references.is_empty() {
        out.push_str(r#"<details class="refs"><summary>Căn cứ / references ("#);
        let _ = write!(out, "{})</summary>", m.references.len());
        for r in &m.references {
            let _ = write!(
                out,
                r#"<div class="item ref" tabindex="0" data-id="ref-{}"{}><b>{}</b> {}{}{} <span class="sp">{}</span></div>"#,
                esc(&r.number),
                span_attrs(r.span.as_ref()),
                esc(&r.doc_type),
                esc(&r.number),
                r.date.as_deref().map(|d| format!(" · {}", esc(d))).unwrap_or_default(),
                r.issuer.as_deref().map(|d| format!(" · {}", esc(d))).unwrap_or_default(),
                span_label(r.span.as_ref())
            );
        }
        out.push_str("</details>\n");
    }
}

/// Renders the review page for a document extracted from `source` (the source text that
/// the document's spans point into).
pub fn render(source: &str, doc: &Document, opts: &ReviewOptions) -> String {
    let mut out = String::with_capacity(source.len() * 3 + 64 * 1024);
    let title = format!("kehoach review — {}", doc.source.path);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{}</style></head>\n<body>\n",
        esc(&title),
        CSS
    );

    // Agencies for the filter: those of the document, then any others items name.
    let mut agencies: BTreeMap<String, String> = BTreeMap::new();
    for a in &doc.agencies {
        agencies.entry(a.id.clone()).or_insert_with(|| a.name.clone());
    }
    for a in doc.tasks.iter().flat_map(|t| t.lead.iter().chain(&t.support)).chain(doc.indicators.iter().flat_map(|i| i.lead.iter().chain(&i.support))) {
        agencies.entry(a.id.clone()).or_insert_with(|| a.name.clone());
    }
    let mut agencies: Vec<(String, String)> = agencies.into_iter().collect();
    agencies.sort_by(|a, b| a.1.cmp(&b.1));
    let mut kinds: Vec<&str> = doc.tasks.iter().filter_map(|t| t.deadline.as_ref().map(|d| deadline_kind_str(d.kind))).collect();
    kinds.sort_unstable();
    kinds.dedup();

    let flagged = doc
        .tasks
        .iter()
        .map(|t| flags(&t.span, t.confidence, doc, opts))
        .chain(doc.indicators.iter().map(|i| flags(&i.span, i.confidence, doc, opts)))
        .filter(|f| f.low || !f.warnings.is_empty())
        .count();

    // Header with filters.
    let _ = write!(
        out,
        r#"<header><h1>{}</h1><div class="stats">{} tasks · {} indicators · {} warnings · <span class="flagged" title="with warnings or confidence under {:.2}">{} flagged</span>{} · {} · sha256 {}</div>"#,
        esc(&doc.source.path),
        doc.tasks.len(),
        doc.indicators.len(),
        doc.warnings.len(),
        opts.low_confidence,
        flagged,
        if doc.source.restored { r#" · <span class="flagged">text restored (diacritics / OCR repair)</span>"# } else { "" },
        esc(&doc.source.format),
        esc(doc.source.sha256.get(..12).unwrap_or(&doc.source.sha256))
    );
    out.push_str(r#"<form id="filters" onsubmit="return false"><label>Cơ quan <select id="f-agency"><option value="">(tất cả / all)</option>"#);
    for (id, name) in &agencies {
        let _ = write!(out, r#"<option value="{}">{}</option>"#, esc(id), esc(name));
    }
    out.push_str(r#"</select></label> <select id="f-role" title="role"><option value="any">chủ trì hoặc phối hợp</option><option value="lead">chủ trì</option><option value="support">phối hợp</option></select>"#);
    out.push_str(r#" <label>Thời hạn <select id="f-dk"><option value="">(tất cả / all)</option><option value="some">có thời hạn</option><option value="none">không có</option>"#);
    for k in &kinds {
        let _ = write!(out, r#"<option value="{k}">{k}</option>"#);
    }
    out.push_str(r#"</select></label> <input id="f-draw" type="search" placeholder="thời hạn / kỳ, vd. 2025" size="14">"#);
    out.push_str(r#" <input id="f-text" type="search" placeholder="tìm trong nội dung" size="18">"#);
    out.push_str(r#" <label><input id="f-flag" type="checkbox"> chỉ mục cần xem lại</label> <span id="f-count"></span></form></header>"#);

    // Source pane.
    out.push_str("<main>\n<section id=\"source\" class=\"pane\" aria-label=\"source\">\n");
    let mut offset = 0usize;
    for (i, raw) in source.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let pb = if raw.contains('\u{000C}') { " pb" } else { "" };
        let _ = writeln!(
            out,
            "<div class=\"ln{pb}\" id=\"L{n}\" data-line=\"{n}\" data-start=\"{offset}\" data-end=\"{}\"><span class=\"no\">{n}</span><span class=\"tx\">{}</span></div>",
            offset + line.len(),
            esc(&shown_line(line))
        );
        offset += raw.len() + 1;
    }
    out.push_str("</section>\n<section id=\"items\" class=\"pane\" aria-label=\"extracted\">\n<h2>Văn bản / document</h2>\n");
    metadata_html(&mut out, doc);

    let _ = write!(out, "<h2>Nhiệm vụ / tasks <span class=\"cnt\" data-for=\"task\">({})</span></h2>\n<div id=\"tasks\">\n", doc.tasks.len());
    for t in &doc.tasks {
        task_html(&mut out, t, doc, opts);
    }
    let _ = write!(
        out,
        "</div>\n<h2>Chỉ tiêu / indicators <span class=\"cnt\" data-for=\"indicator\">({})</span></h2>\n<div id=\"indicators\">\n",
        doc.indicators.len()
    );
    for i in &doc.indicators {
        indicator_html(&mut out, i, doc, opts);
    }
    let _ = write!(out, "</div>\n<h2>Cảnh báo / warnings ({})</h2>\n<div id=\"warnings\">\n", doc.warnings.len());
    for (k, w) in doc.warnings.iter().enumerate() {
        let _ = write!(
            out,
            r#"<div class="item warning" tabindex="0" data-id="w{}"{}><b>{}</b> {} <span class="sp">{}</span></div>"#,
            k + 1,
            span_attrs(w.span.as_ref()),
            esc(&w.code),
            esc(&w.message),
            span_label(w.span.as_ref())
        );
        out.push('\n');
    }
    out.push_str("</div>\n</section>\n</main>\n<script>");
    out.push_str(JS);
    out.push_str("</script>\n</body></html>\n");
    out
}

const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1d232a;background:#f4f5f7}
header{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #d0d4da;padding:6px 12px}
h1{font-size:15px;margin:0 0 2px;font-weight:600;word-break:break-all}
.stats{color:#5a6470;font-size:12px}
.flagged{color:#a15c00;font-weight:600}
#filters{margin-top:4px;display:flex;flex-wrap:wrap;gap:6px;align-items:center;font-size:13px}
#filters select,#filters input{font:inherit}
#f-count{color:#5a6470}
main{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);height:calc(100vh - 84px)}
.pane{overflow:auto;padding:8px 10px}
#source{background:#fff;border-right:1px solid #d0d4da;font:12.5px/1.45 "Liberation Mono","Noto Sans Mono",Consolas,Menlo,"Courier New",monospace;tab-size:4}
.ln{display:flex;cursor:pointer;white-space:pre-wrap;word-break:break-word}
.ln:hover{background:#f0f3f7}
.ln.pb{border-top:1px dashed #9aa4b0}
.ln .no{flex:0 0 4.2em;text-align:right;padding-right:.8em;color:#8a939e;user-select:none}
.ln .tx{flex:1;min-width:0}
.ln.hl{background:#fff4c2}
.ln.sel{outline:2px solid #3b82f6;outline-offset:-2px}
mark.span{background:#ffd54a;color:inherit;padding:0}
h2{font-size:14px;margin:14px 0 6px;color:#33404d}
.item{background:#fff;border:1px solid #d8dce2;border-left:4px solid #9db7d6;border-radius:4px;padding:6px 8px;margin:0 0 6px;cursor:pointer}
.item:hover{border-color:#7a99bf}
.item.warn{border-left-color:#e08a00}
.item.low{background:#fff8ee}
.item.sel{outline:2px solid #3b82f6}
.item.hl{box-shadow:0 0 0 3px #ffd54a}
.item.hidden{display:none}
.head{font-size:12px;color:#5a6470;display:flex;flex-wrap:wrap;gap:4px;align-items:baseline}
.num{font-weight:700;color:#1d232a}
.id{font-family:"Liberation Mono",Consolas,Menlo,monospace;color:#8a939e}
.sp{font-size:11px;color:#8a939e}
.conf{font-size:11px;border-radius:8px;padding:0 6px;background:#e3f1e6;color:#23632f}
.conf.lowc{background:#fde2d6;color:#9a3412;font-weight:700}
.wb{font-size:11px;border-radius:8px;padding:0 6px;background:#ffe8b3;color:#8a4b00;font-weight:700}
.text{margin:2px 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:1px 8px;margin:4px 0 0;font-size:12.5px}
dt{color:#5a6470}
dd{margin:0}
.ag{display:inline-block;background:#eef2f7;border-radius:3px;padding:0 4px;margin:0 2px 2px 0}
.dk{font-size:11px;color:#5a6470}
table.tg{border-collapse:collapse}
table.tg th,table.tg td{border:1px solid #dde1e6;padding:0 6px;font-weight:normal;text-align:left}
ul.warns{margin:4px 0 0;padding-left:18px;color:#8a4b00;font-size:12px}
.item.warning{border-left-color:#e08a00;font-size:12.5px}
details.refs{margin:4px 0}
.item.ref{font-size:12.5px}
@media (max-width:800px){main{grid-template-columns:1fr;height:auto}.pane{max-height:60vh}}
"#;

const JS: &str = r#"
(function () {
  'use strict';
  var source = document.getElementById('source');
  var lineEls = source.querySelectorAll('.ln');
  var items = Array.prototype.slice.call(document.querySelectorAll('.item'));
  var marked = [];

  function lineEl(n) { return lineEls[n - 1] || null; }
  function utf8len(cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }
  // UTF-16 index in `s` of byte offset `b` (UTF-8), clamped to the string.
  function charIndex(s, b) {
    var bytes = 0, i = 0;
    while (i < s.length && bytes < b) {
      var cp = s.codePointAt(i);
      bytes += utf8len(cp);
      i += cp > 0xffff ? 2 : 1;
    }
    return i;
  }

  function clearAll() {
    document.querySelectorAll('.hl,.sel').forEach(function (el) { el.classList.remove('hl', 'sel'); });
    marked.forEach(function (m) { m.el.textContent = m.text; });
    marked = [];
  }

  function markRange(ln, start, end) {
    var tx = ln.querySelector('.tx');
    var text = tx.textContent;
    var ls = +ln.dataset.start, le = +ln.dataset.end;
    var a = charIndex(text, Math.max(start, ls) - ls);
    var b = charIndex(text, Math.min(end, le) - ls);
    if (b <= a) { return; }
    marked.push({ el: tx, text: text });
    var mark = document.createElement('mark');
    mark.className = 'span';
    mark.textContent = text.slice(a, b);
    tx.textContent = '';
    tx.appendChild(document.createTextNode(text.slice(0, a)));
    tx.appendChild(mark);
    tx.appendChild(document.createTextNode(text.slice(b)));
  }

  function showSpan(item) {
    var ls = +item.dataset.ls, le = +item.dataset.le;
    if (!ls) { return; }
    var start = +item.dataset.start, end = +item.dataset.end;
    for (var n = ls; n <= le; n++) {
      var ln = lineEl(n);
      if (!ln) { break; }
      ln.classList.add('hl');
      markRange(ln, start, end);
    }
    var first = lineEl(ls);
    if (first) { first.scrollIntoView({ block: 'center' }); }
  }

  function selectItem(item) {
    clearAll();
    item.classList.add('sel');
    showSpan(item);
  }

  function selectLine(ln) {
    clearAll();
    ln.classList.add('sel');
    var n = +ln.dataset.line;
    var hits = items.filter(function (it) {
      var ls = +it.dataset.ls, le = +it.dataset.le;
      return ls && ls <= n && n <= le && !it.classList.contains('hidden');
    });
    hits.forEach(function (it) { it.classList.add('hl'); });
    if (hits.length) { hits[0].scrollIntoView({ block: 'center' }); }
  }

  items.forEach(function (it) {
    it.addEventListener('click', function () { selectItem(it); });
    it.addEventListener('keydown', function (e) { if (e.key === 'Enter') { selectItem(it); } });
  });
  source.addEventListener('click', function (e) {
    var ln = e.target.closest('.ln');
    if (ln) { selectLine(ln); }
  });

  // Filters.
  function fold(s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase()
      .replace(/[^\p{L}\p{N}&%\/]+/gu, ' ').trim();
  }
  var fAgency = document.getElementById('f-agency'), fRole = document.getElementById('f-role');
  var fDk = document.getElementById('f-dk'), fDraw = document.getElementById('f-draw');
  var fText = document.getElementById('f-text'), fFlag = document.getElementById('f-flag');
  var fCount = document.getElementById('f-count');
  var filtered = items.filter(function (it) { return it.classList.contains('task') || it.classList.contains('indicator'); });

  function applyFilters() {
    var ag = fAgency.value, role = fRole.value, dk = fDk.value;
    var draw = fold(fDraw.value), text = fold(fText.value), flag = fFlag.checked;
    var shown = { task: 0, indicator: 0 };
    filtered.forEach(function (it) {
      var ok = true;
      if (ag) {
        var key = ' ' + ag + ' ';
        var inLead = it.dataset.lead.indexOf(key) >= 0, inSup = it.dataset.support.indexOf(key) >= 0;
        ok = role === 'lead' ? inLead : role === 'support' ? inSup : (inLead || inSup);
      }
      var kind = it.dataset.dk;
      if (ok && dk) {
        if (dk === 'some') { ok = kind !== 'none' && kind !== 'indicator'; }
        else if (dk === 'none') { ok = kind === 'none'; }
        else { ok = kind === dk; }
      }
      if (ok && draw) { ok = it.dataset.draw.indexOf(draw) >= 0; }
      if (ok && text) { ok = it.dataset.text.indexOf(text) >= 0; }
      if (ok && flag) { ok = it.classList.contains('warn') || it.classList.contains('low'); }
      it.classList.toggle('hidden', !ok);
      if (ok) { shown[it.classList.contains('task') ? 'task' : 'indicator']++; }
    });
    document.querySelectorAll('.cnt').forEach(function (c) {
      var k = c.dataset.for;
      var total = filtered.filter(function (it) { return it.classList.contains(k); }).length;
      c.textContent = shown[k] === total ? '(' + total + ')' : '(' + shown[k] + ' / ' + total + ')';
    });
    fCount.textContent = (shown.task + shown.indicator) + ' shown';
  }
  [fAgency, fRole, fDk, fFlag].forEach(function (el) { el.addEventListener('change', applyFilters); });
  [fDraw, fText].forEach(function (el) { el.addEventListener('input', applyFilters); });
  applyFilters();
  window.kehoachReview = { selectItem: selectItem, selectLine: selectLine, applyFilters: applyFilters };
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn doc() -> Document {
        Document {
            schema_version: "1".into(),
            source: SourceInfo { path: "x<y>.txt".into(), sha256: "ab".repeat(32), format: "text".into(), encoding: "utf-8".into(), restored: false },
            document: Metadata::default(),
            tasks: vec![Task {
                id: "t-1".into(),
                origin: Origin::Body,
                table: None,
                section: Some("III.1".into()),
                number: Some("1.1".into()),
                text: "Làm <script>alert(1)</script> & \"x\"".into(),
                lead: vec![AgencyRef { id: "vhxh".into(), name: "Phòng Văn hóa - Xã hội".into() }],
                support: vec![],
                output: None,
                deadline: None,
                span: Span { start: 6, end: 10, line_start: 2, line_end: 2, page: None },
                links: vec![],
                confidence: Some(0.4),
            }],
            indicators: vec![],
            agencies: vec![],
            warnings: vec![Warning { code: "w".into(), message: "m".into(), span: Some(Span { start: 6, end: 8, line_start: 2, line_end: 2, page: None }) }],
        }
    }

    #[test]
    fn escapes_and_is_self_contained() {
        let html = render("dòng 1\ndòng <2>\n\u{000C}trang 2\r\n", &doc(), &ReviewOptions::default());
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("Làm &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
        assert!(html.contains("dòng &lt;2&gt;"));
        assert!(html.contains("x&lt;y&gt;.txt"));
        for bad in ["<script src", "<link", "@import", "url(", "http://", "https://"] {
            assert!(!html.contains(bad), "{bad}");
        }
        // Line offsets: line 2 starts at byte 8 ("dòng 1\n" is 8 bytes).
        assert!(html.contains(r#"id="L2" data-line="2" data-start="8" data-end="17""#), "{html}");
        assert!(html.contains(r#"class="ln pb" id="L3""#));
        assert!(html.contains("item task warn low"));
    }
}
