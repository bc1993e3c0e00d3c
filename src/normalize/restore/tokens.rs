//! Splitting a line into tokens for restoration: words, numbers, punctuation and
//! "other" (codes, URLs, e-mail addresses), each with its char range in the line.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters only.
    Word,
    /// Letters mixed with digits or symbols ("s6", "d6i", "K&"): OCR damage or a code.
    Mixed,
    Num,
    Punct,
    /// Codes, URLs, anything left alone.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// Char range in the line.
    pub start: usize,
    pub end: usize,
    pub text: String,
}

pub(super) const LEAD: &[char] = &['(', '[', '{', '"', '\'', '“', '‘', '«', '-', '–', '—', '•', '*', '+'];
pub(crate) const TRAIL: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']', '}', '"', '\'', '”', '’', '»', '…', '-', '–'];

pub(super) fn is_letter(c: char) -> bool {
    c.is_alphabetic() || crate::fold::is_combining_mark(c)
}

/// Tokens of one line (chars), in order, covering every non-space char.
pub fn tokenize(chars: &[char]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        chunk(chars, start, i, &mut out);
    }
    out
}

fn push(out: &mut Vec<Token>, chars: &[char], kind: Kind, start: usize, end: usize) {
    if start < end {
        out.push(Token { kind, start, end, text: chars[start..end].iter().collect() });
    }
}

fn chunk(chars: &[char], start: usize, end: usize, out: &mut Vec<Token>) {
    let mut a = start;
    let mut b = end;
    while a < b && LEAD.contains(&chars[a]) {
        a += 1;
    }
    while b > a && TRAIL.contains(&chars[b - 1]) {
        b -= 1;
    }
    push(out, chars, Kind::Punct, start, a);
    if a < b {
        core(chars, a, b, out);
    }
    push(out, chars, Kind::Punct, b, end);
}

fn core(chars: &[char], a: usize, b: usize, out: &mut Vec<Token>) {
    let s = &chars[a..b];
    let text: String = s.iter().collect();
    // OCR prints "$" for s and "¢" "&" for ê: "$6" is "số", not a number.
    let has_letter = s.iter().any(|c| c.is_alphabetic()) || (s.len() <= 4 && s.iter().any(|c| matches!(c, '$' | '¢')) && s.iter().any(|c| c.is_ascii_digit()));
    let has_digit = s.iter().any(|c| c.is_ascii_digit());
    if text.contains("://") || text.contains("www.") || s.iter().any(|c| matches!(c, '/' | '@' | '_' | '\\' | '=' | '#')) {
        push(out, chars, Kind::Other, a, b);
        return;
    }
    if !has_letter {
        let kind = if has_digit { Kind::Num } else { Kind::Punct };
        push(out, chars, kind, a, b);
        return;
    }
    // Letter runs joined by a hyphen or by punctuation OCR lost the space after.
    if let Some(k) = s.iter().position(|c| matches!(c, '-' | '.' | ',' | ';' | ')' | '(')) {
        let left_word = s[..k].iter().all(|c| is_letter(*c));
        if left_word && k > 0 && k + 1 < s.len() {
            push(out, chars, Kind::Word, a, a + k);
            push(out, chars, Kind::Punct, a + k, a + k + 1);
            core(chars, a + k + 1, b, out);
            return;
        }
        if has_digit {
            push(out, chars, Kind::Other, a, b);
            return;
        }
    }
    if s.iter().all(|c| is_letter(*c)) {
        push(out, chars, Kind::Word, a, b);
    } else {
        push(out, chars, Kind::Mixed, a, b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(Kind, String)> {
        let c: Vec<char> = s.chars().collect();
        tokenize(&c).into_iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn kinds() {
        use Kind::*;
        assert_eq!(
            toks("Nghi quyét s6 57-NQ/TW ngay 22/12/2024 (ctia)."),
            vec![
                (Word, "Nghi".into()),
                (Word, "quyét".into()),
                (Mixed, "s6".into()),
                (Other, "57-NQ/TW".into()),
                (Word, "ngay".into()),
                (Other, "22/12/2024".into()),
                (Punct, "(".into()),
                (Word, "ctia".into()),
                (Punct, ").".into()),
            ]
        );
        assert_eq!(toks("kinh tế-xã 4.0 https://a.vn"), vec![
            (Word, "kinh".into()),
            (Word, "tế".into()),
            (Punct, "-".into()),
            (Word, "xã".into()),
            (Num, "4.0".into()),
            (Other, "https://a.vn".into()),
        ]);
    }
}
