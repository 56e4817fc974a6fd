//! Finds the line where a dotted key is written in a TOML source, so that errors found after
//! parsing (a range, a sum) can still point at the line to fix.

/// 1-based line of `dotted` (e.g. `factory.rent`, or `factory.rent.mode` inside an inline
/// table, or a section such as `mix`). The longest written prefix of the key wins.
pub fn line_of(src: &str, dotted: &str) -> Option<usize> {
    let target: Vec<&str> = dotted.split('.').collect();
    let mut section: Vec<String> = Vec::new();
    let mut best: Option<(usize, usize)> = None; // (matched parts, line)
    for (i, raw) in src.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        let here: Vec<String>;
        if let Some(h) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            section = split_key(h);
            here = section.clone();
        } else if let Some(h) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = split_key(h);
            here = section.clone();
        } else if let Some(eq) = line.find('=') {
            let mut k = section.clone();
            k.extend(split_key(&line[..eq]));
            // keys of an inline table on this line count as written here too
            let rest = &line[eq + 1..];
            let matched = common(&k, &target);
            if matched == k.len() && rest.trim_start().starts_with('{') {
                let inner = inline_keys(rest);
                if let Some(next) = target.get(k.len()) {
                    if inner.iter().any(|x| x == next) {
                        consider(&mut best, matched + 1, i + 1);
                    }
                }
            }
            here = k;
        } else {
            continue;
        }
        let m = common(&here, &target);
        if m == here.len() {
            consider(&mut best, m, i + 1);
        }
    }
    best.map(|(_, l)| l)
}

fn consider(best: &mut Option<(usize, usize)>, matched: usize, line: usize) {
    if matched > 0 && best.is_none_or(|(m, _)| matched > m) {
        *best = Some((matched, line));
    }
}

fn common(a: &[String], b: &[&str]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == *y).count()
}

fn split_key(k: &str) -> Vec<String> {
    k.split('.')
        .map(|p| p.trim().trim_matches('"').trim_matches('\'').to_string())
        .collect()
}

fn inline_keys(rest: &str) -> Vec<String> {
    rest.trim()
        .trim_start_matches('{')
        .split(',')
        .filter_map(|kv| {
            kv.split_once('=')
                .map(|(k, _)| k.trim().trim_matches('"').to_string())
        })
        .collect()
}

fn strip_comment(line: &str) -> &str {
    // a '#' inside a quoted string is not a comment
    let mut in_str: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (in_str, c) {
            (None, '"') | (None, '\'') => in_str = Some(c),
            (Some(q), c2) if c2 == q => in_str = None,
            (None, '#') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// 1-based line of a byte offset.
pub fn line_at(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

/// The key a "duplicate key" error points at (`span` covers its second writing) and the line
/// of its first writing in the same table.
pub fn duplicate(src: &str, span: std::ops::Range<usize>) -> Option<(String, usize)> {
    let text = src.get(span.clone())?;
    let second = line_at(src, span.start);
    let lines: Vec<&str> = src.lines().collect();
    // a [section] written twice
    let header = lines.get(second.saturating_sub(1))?.trim();
    if let Some(name) = header.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        if !name.starts_with('[') {
            let first = lines[..second - 1]
                .iter()
                .position(|l| l.trim() == header)?;
            return Some((name.trim().to_string(), first + 1));
        }
    }
    let key = text
        .split('=')
        .next()?
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_string();
    if key.is_empty() {
        return None;
    }
    // the first writing: the last line before the second that writes the key, within the
    // same [section]
    let mut first = None;
    for (i, l) in lines
        .iter()
        .enumerate()
        .take(second.saturating_sub(1))
        .rev()
    {
        let t = l.trim();
        if t.starts_with('[') {
            break;
        }
        let written = t
            .split('=')
            .next()
            .map(|k| k.trim().trim_matches(|c| c == '"' || c == '\''))
            == Some(key.as_str());
        if written && t.contains('=') {
            first = Some(i + 1);
        }
    }
    let section = lines[..second.saturating_sub(1)]
        .iter()
        .rev()
        .find_map(|l| {
            let t = l.trim();
            t.strip_prefix('[')
                .and_then(|x| x.strip_suffix(']'))
                .map(|x| x.trim_matches(|c| c == '[' || c == ']').to_string())
        });
    let dotted = match section {
        Some(s) if !s.is_empty() => format!("{s}.{key}"),
        _ => key,
    };
    Some((dotted, first?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "# c\n[project]\nname = \"a # b\"\n\n[factory]\nrent = 30 # x\nrent_growth = { dist = \"pert\", min = 0, mode = 0.02, max = 0.05 }\n[[monte_carlo.correlation]]\nrho = 0.5\n";

    #[test]
    fn finds_keys_sections_and_inline_fields() {
        assert_eq!(line_of(SRC, "factory.rent"), Some(6));
        assert_eq!(line_of(SRC, "factory"), Some(5));
        assert_eq!(line_of(SRC, "factory.rent_growth.mode"), Some(7));
        assert_eq!(
            line_of(SRC, "factory.occupancy"),
            Some(5),
            "falls back to the section"
        );
        assert_eq!(line_of(SRC, "monte_carlo.correlation.rho"), Some(9));
        assert_eq!(line_of(SRC, "mix.factory"), None);
    }
}
