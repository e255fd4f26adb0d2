//! The string kernel: case-insensitive equality, containment and affixes, run once per
//! dictionary value when the column is dictionary-encoded, else once per row.

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayAccessor, ArrayRef, DictionaryArray};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{ArrowError, DataType};

use super::super::condition::{ColumnCondition, TextOp};
use super::{bits_where, finish};

/// Does `s`, lowercased, pass `op` with any of `needles` (lowercase already)? Each needle is
/// first decided from `s`'s bytes where that is exact ([`byte_wise`]); `s` is lowercased into
/// `scratch` only for the needles that remain.
pub(super) fn text_matches(s: &str, op: TextOp, needles: &[Needle<'_>], scratch: &mut String) -> bool {
    if op == TextOp::Empty {
        return s.is_empty();
    }
    let mut lowered = false;
    needles.iter().any(|needle| {
        if let Some(answer) = byte_wise(s, op, needle) {
            return answer;
        }
        let n = needle.text;
        if !lowered {
            scratch.clear();
            scratch.push_str(&s.to_lowercase());
            lowered = true;
        }
        let s = scratch.as_str();
        match op {
            TextOp::Equals => s == n,
            TextOp::Contains => s.contains(n),
            TextOp::StartsWith => s.starts_with(n),
            TextOp::EndsWith => s.ends_with(n),
            TextOp::Empty => false,
        }
    })
}

/// `lowercase(h) op n` for an ASCII needle, decided on `h`'s bytes without lowercasing it, when
/// that is exact: the part of `h` the test looks at is ASCII (lowercasing is per character, so
/// an ASCII part lowercases byte by byte wherever it sits), or, for containment, the needle has
/// no letters (lowercasing changes only letters, into letters, and no character vanishes).
/// `None` when the answer needs the lowercased text: non-ASCII bytes where the test looks.
fn byte_wise(text: &str, op: TextOp, needle: &Needle<'_>) -> Option<bool> {
    let (h, n) = (text.as_bytes(), needle.text.as_bytes());
    if !needle.ascii {
        return None;
    }
    // Shorter than the needle: lowercasing may lengthen non-ASCII text.
    let short = || if h.is_ascii() { Some(false) } else { None };
    match op {
        TextOp::Equals => h.is_ascii().then(|| h.eq_ignore_ascii_case(n)),
        TextOp::StartsWith | TextOp::EndsWith if h.len() < n.len() => short(),
        TextOp::StartsWith => {
            let head = &h[..n.len()];
            head.is_ascii().then(|| head.eq_ignore_ascii_case(n))
        }
        TextOp::EndsWith => {
            let tail = &h[h.len() - n.len()..];
            tail.is_ascii().then(|| tail.eq_ignore_ascii_case(n))
        }
        TextOp::Contains if !needle.letters => Some(match n {
            // A searcher for one byte costs more to set up than memchr takes to run.
            [byte] => h.contains(byte),
            _ => text.contains(needle.text),
        }),
        TextOp::Contains if h.is_ascii() => {
            Some(n.is_empty() || h.windows(n.len()).any(|window| window.eq_ignore_ascii_case(n)))
        }
        TextOp::Contains | TextOp::Empty => None,
    }
}

/// A lowercase needle with what [`byte_wise`] asks of it, found once per batch, not per row.
pub(super) struct Needle<'a> {
    text: &'a str,
    ascii: bool,
    /// Has ASCII letters (an ASCII needle without them is found in the text as it is).
    letters: bool,
}

impl<'a> Needle<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self { text, ascii: text.is_ascii(), letters: text.bytes().any(|b| b.is_ascii_alphabetic()) }
    }
}

#[allow(clippy::needless_pass_by_value)] // string arrays are passed as `&StringArray`, a Copy reference
fn per_value<'a, A: ArrayAccessor<Item = &'a str>>(array: A, op: TextOp, needles: &[String]) -> BooleanBuffer {
    let needles: Vec<Needle<'_>> = needles.iter().map(|n| Needle::new(n)).collect();
    let needles = needles.as_slice();
    let mut scratch = String::new();
    BooleanBuffer::collect_bool(array.len(), |i| text_matches(array.value(i), op, needles, &mut scratch))
}

/// The positive test over a plain (non-dictionary) string array.
fn plain_text(array: &dyn Array, op: TextOp, needles: &[String]) -> Result<BooleanBuffer, ArrowError> {
    Ok(match array.data_type() {
        DataType::Utf8 => per_value(array.as_string::<i32>(), op, needles),
        DataType::LargeUtf8 => per_value(array.as_string::<i64>(), op, needles),
        DataType::Utf8View => per_value(array.as_string_view(), op, needles),
        _ => {
            let cast = arrow_cast::cast(array, &DataType::Utf8View)?;
            per_value(cast.as_string_view(), op, needles)
        }
    })
}

pub(super) fn text(
    array: &ArrayRef,
    op: TextOp,
    needles: &[String],
    condition: &ColumnCondition,
) -> Result<BooleanBuffer, ArrowError> {
    if let DataType::Dictionary(key, _) = array.data_type() {
        let dict: DictionaryArray<Int32Type> = if **key == DataType::Int32 {
            array.as_dictionary::<Int32Type>().clone()
        } else {
            let target = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
            arrow_cast::cast(array, &target)?.as_dictionary::<Int32Type>().clone()
        };
        let values = dict.values();
        // One answer per dictionary value, nulls and negation included, then gathered by key.
        let value_positive = plain_text(values.as_ref(), op, needles)?;
        let value_answers = finish(value_positive, values.logical_nulls().as_ref(), condition);
        let null_answer = condition.null_matches != condition.negate;
        let keys = dict.keys();
        // A key beyond the dictionary (only a corrupt file has one) reads as null: it maps to
        // the table's last entry.
        let mut table: Vec<bool> = value_answers.iter().collect();
        table.push(null_answer);
        let last = (table.len() - 1) as u32;
        let answers = if table.len() <= 64 {
            // A small dictionary's answers fit one word: a shift per key, which vectorises,
            // where a table lookup per key does not.
            let word = table.iter().enumerate().fold(0u64, |word, (i, &yes)| word | (u64::from(yes) << i));
            bits_where(keys.values(), |k| (word >> (k as u32).min(last)) & 1 == 1)
        } else {
            bits_where(keys.values(), |k| table[(k as u32).min(last) as usize])
        };
        return Ok(match keys.nulls() {
            Some(valid) if valid.null_count() > 0 => {
                let valid = valid.inner();
                if null_answer { &answers | &!valid } else { &answers & valid }
            }
            _ => answers,
        });
    }
    let positive = plain_text(array.as_ref(), op, needles)?;
    Ok(finish(positive, array.logical_nulls().as_ref(), condition))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::{Int8Type, Int32Type};
    use arrow_array::{
        ArrayRef, DictionaryArray, Int8Array, Int32Array, LargeStringArray, StringArray, StringViewArray,
    };

    use super::super::{agreed, answers};
    use super::{Needle, TextOp, text_matches};
    use crate::rule::{Operand, Operator};

    const ROWS: [Option<&str>; 7] =
        [Some("Healthcare"), None, Some("health"), Some(""), Some("ÄRZTE Health"), Some("care"), Some("HEALTHCARE")];

    /// The same rows in every string encoding a file can give.
    fn encodings() -> Vec<ArrayRef> {
        let distinct = StringArray::from(vec!["Healthcare", "health", "", "ÄRZTE Health", "care", "HEALTHCARE"]);
        let keys = Int8Array::from(vec![Some(0), None, Some(1), Some(2), Some(3), Some(4), Some(5)]);
        vec![
            Arc::new(StringArray::from(ROWS.to_vec())),
            Arc::new(LargeStringArray::from(ROWS.to_vec())),
            Arc::new(StringViewArray::from(ROWS.to_vec())),
            Arc::new(DictionaryArray::<Int8Type>::try_new(keys, Arc::new(distinct)).expect("keys in range")),
        ]
    }

    /// `op` with `needles` on every encoding: they must agree, and this is their answer.
    fn on_all(op: Operator, needles: &[&str]) -> Vec<bool> {
        let operand = if needles.is_empty() {
            Operand::None
        } else {
            Operand::Texts(needles.iter().map(|n| (*n).to_owned()).collect())
        };
        agreed(op, &operand, &encodings())
    }

    /// The byte-wise answers equal lowercasing first, on text where lowercasing changes lengths
    /// (`İ`, the Kelvin sign), depends on context (final sigma) or leaves ASCII in place.
    #[test]
    fn byte_wise_answers_equal_lowercasing_first() {
        let texts = [
            "",
            "@",
            "a@b",
            "Ärzte@Gmail.COM",
            "İstanbul@x.tr",
            "\u{212A}ELVIN",
            "ΣΑΣ.",
            "straße-1",
            "STRASSE",
            "x@.y",
            "Hospital & Health Care",
            "CFO of ÄRZTE",
            "k",
            "İ",
        ];
        let needles =
            ["@gmail.com", "@", "i", "k", "ärz", "s", "ss", "@.", "", "x@", "kelvin", "cfo", "-1", "i\u{307}"];
        let ops = [TextOp::Equals, TextOp::Contains, TextOp::StartsWith, TextOp::EndsWith];
        let mut scratch = String::new();
        for text in texts {
            let lowered = text.to_lowercase();
            for op in ops {
                for needle in needles {
                    let expected = match op {
                        TextOp::Equals => lowered == needle,
                        TextOp::Contains => lowered.contains(needle),
                        TextOp::StartsWith => lowered.starts_with(needle),
                        TextOp::EndsWith => lowered.ends_with(needle),
                        TextOp::Empty => unreachable!(),
                    };
                    let got = text_matches(text, op, &[Needle::new(needle)], &mut scratch);
                    assert_eq!(got, expected, "{text:?} {op:?} {needle:?}");
                }
            }
        }
    }

    #[test]
    fn is_and_is_not_ignore_case() {
        assert_eq!(on_all(Operator::Is, &["healthcare"]), [true, false, false, false, false, false, true]);
        assert_eq!(on_all(Operator::Is, &["CARE", "Health"]), [false, false, true, false, false, true, false]);
        assert_eq!(on_all(Operator::Is, &["ärzte HEALTH"]), [false, false, false, false, true, false, false]);
        // The empty string is a value; a null is not.
        assert_eq!(on_all(Operator::Is, &[""]), [false, false, false, true, false, false, false]);
        assert_eq!(on_all(Operator::IsNot, &["healthcare"]), [false, true, true, true, true, true, false]);
    }

    #[test]
    fn contains_and_not_contains() {
        assert_eq!(on_all(Operator::Contains, &["ALTH"]), [true, false, true, false, true, false, true]);
        assert_eq!(on_all(Operator::Contains, &["ärz", "car"]), [true, false, false, false, true, true, true]);
        // The empty needle is in every string, not in a null.
        assert_eq!(on_all(Operator::Contains, &[""]), [true, false, true, true, true, true, true]);
        assert_eq!(on_all(Operator::NotContains, &["ALTH"]), [false, true, false, true, false, true, false]);
    }

    #[test]
    fn starts_and_ends_with() {
        assert_eq!(on_all(Operator::StartsWith, &["health"]), [true, false, true, false, false, false, true]);
        assert_eq!(on_all(Operator::StartsWith, &["Ä"]), [false, false, false, false, true, false, false]);
        // A needle longer than the value never matches.
        assert_eq!(on_all(Operator::StartsWith, &["healthcare!"]), [false; 7]);
        assert_eq!(on_all(Operator::NotStartsWith, &["health"]), [false, true, false, true, true, true, false]);
        assert_eq!(on_all(Operator::EndsWith, &["CARE"]), [true, false, false, false, false, true, true]);
        assert_eq!(on_all(Operator::EndsWith, &["health"]), [false, false, true, false, true, false, false]);
        assert_eq!(on_all(Operator::NotEndsWith, &["CARE"]), [false, true, true, true, true, false, false]);
    }

    #[test]
    fn empty_is_null_or_the_empty_string() {
        assert_eq!(on_all(Operator::IsEmpty, &[]), [false, true, false, true, false, false, false]);
        assert_eq!(on_all(Operator::IsNotEmpty, &[]), [true, false, true, false, true, true, true]);
    }

    /// Dictionaries of up to 64 values answer through one word, larger ones through a table:
    /// both as the plain strings do.
    #[test]
    fn small_and_large_dictionaries_agree_with_plain_strings() {
        for size in [3usize, 63, 64, 65, 200] {
            let values: Vec<String> = (0..size).map(|v| format!("Value {v}")).collect();
            let picks: Vec<Option<i32>> = (0..500).map(|i| (i % 7 != 3).then_some(((i * 31) % size) as i32)).collect();
            let dict: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::new(
                Int32Array::from(picks.clone()),
                Arc::new(StringArray::from(values.clone())),
            ));
            let plain: ArrayRef = Arc::new(StringArray::from(
                picks.iter().map(|p| p.map(|k| values[k as usize].clone())).collect::<Vec<_>>(),
            ));
            for op in [Operator::Is, Operator::IsNot, Operator::EndsWith] {
                let needle = Operand::Texts(vec![format!("value {}", size - 1)]);
                let expected = answers(op, needle.clone(), &plain);
                assert_eq!(answers(op, needle, &dict), expected, "{op} on {size} values");
            }
        }
    }

    #[test]
    fn a_null_dictionary_value_reads_as_null() {
        let values = StringArray::from(vec![Some("a"), None]);
        let keys = Int8Array::from(vec![Some(0), Some(1), None]);
        let dict: ArrayRef =
            Arc::new(DictionaryArray::<Int8Type>::try_new(keys, Arc::new(values)).expect("keys in range"));
        assert_eq!(answers(Operator::Is, Operand::Texts(vec!["A".into()]), &dict), [true, false, false]);
        assert_eq!(answers(Operator::IsNot, Operand::Texts(vec!["A".into()]), &dict), [false, true, true]);
        assert_eq!(answers(Operator::IsEmpty, Operand::None, &dict), [false, true, true]);
    }
}
