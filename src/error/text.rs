//! User text as messages repeat it: cut when long ([`shorten`]), lists of names capped
//! ([`name_list`], [`quote_list`]), and the known name nearest a misspelt one ([`nearest`],
//! [`did_you_mean`]). Every module that writes a message uses these; they use nothing of ours.

use std::borrow::Cow;

/// How many names [`name_list`] shows.
pub const NAMES_SHOWN: usize = 8;

/// The longest user text a message repeats whole; longer text is cut, so that a megabyte of
/// JSON does not come back as one line of error.
pub const SHOWN_CHARS: usize = 80;

/// `text` as a message repeats it: whole up to [`SHOWN_CHARS`] characters, else its start, an
/// ellipsis and its length.
#[must_use]
pub fn shorten(text: &str) -> Cow<'_, str> {
    let count = text.chars().count();
    if count <= SHOWN_CHARS {
        return Cow::Borrowed(text);
    }
    let start: String = text.chars().take(SHOWN_CHARS - 20).collect();
    Cow::Owned(format!("{start}… ({count} characters)"))
}

/// At most [`NAMES_SHOWN`] names, quoted, then how many more: "`a`, `b`, `c` and 4 more".
#[must_use]
pub fn name_list(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(NAMES_SHOWN).map(|n| format!("`{}`", shorten(n))).collect();
    let more = names.len().saturating_sub(NAMES_SHOWN);
    if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") }
}

/// Every item, quoted: "`a`, `b`, `c`" (for short lists of our own names, such as operators).
#[must_use]
pub fn quote_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// The candidate nearest to `word` by edit distance, when it is near enough to be a typo; ties go
/// to the alphabetically first, so the answer never depends on the candidates' order.
#[must_use]
pub fn nearest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

/// "did you mean `x`?" when a candidate is near `word`.
#[must_use]
pub fn did_you_mean(word: &str, candidates: &[&str]) -> Option<String> {
    nearest(word, candidates).map(|n| format!("did you mean `{n}`?"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_and_lists_are_capped() {
        assert_eq!(shorten("industry"), "industry");
        let exact = "x".repeat(SHOWN_CHARS);
        assert_eq!(shorten(&exact), exact);
        let long = format!("{}é", "(".repeat(100_000));
        assert_eq!(shorten(&long), format!("{}… (100001 characters)", "(".repeat(SHOWN_CHARS - 20)));
        let names: Vec<String> = (1..=10).map(|i| format!("w{i}")).collect();
        assert_eq!(name_list(&names[..2]), "`w1`, `w2`");
        assert_eq!(name_list(&names), "`w1`, `w2`, `w3`, `w4`, `w5`, `w6`, `w7`, `w8` and 2 more");
        assert_eq!(quote_list(&["is", "is_not"]), "`is`, `is_not`");
    }

    #[test]
    fn suggests_the_nearest_name() {
        assert_eq!(nearest("segements", &["id", "segments", "shares"]), Some("segments"));
        assert_eq!(nearest("zzzzzz", &["id", "segments"]), None);
        // Ties go to the alphabetically first, whatever the order given.
        assert_eq!(nearest("ab", &["bb", "aa"]), Some("aa"));
        assert_eq!(did_you_mean("iss", &["is", "is_not"]).as_deref(), Some("did you mean `is`?"));
        assert_eq!(did_you_mean("resembles", &["is", "is_not"]), None);
    }
}
