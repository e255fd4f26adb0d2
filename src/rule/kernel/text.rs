//! The string kernel: case-insensitive equality, containment and affixes, run once per
//! dictionary value when the column is dictionary-encoded, else once per row.

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayAccessor, ArrayRef, DictionaryArray};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{ArrowError, DataType};

use super::super::condition::{ColumnCondition, TextOp};
use super::{bits_where, finish};

/// Lowercases `s` into `scratch` (ASCII fast path) and tests it.
pub(super) fn text_matches(s: &str, op: TextOp, needles: &[String], scratch: &mut String) -> bool {
    if op == TextOp::Empty {
        return s.is_empty();
    }
    // ASCII text lowercases byte by byte, so equality and affixes compare without a copy (a
    // needle with non-ASCII bytes then never matches, as it should not).
    if s.is_ascii() && op != TextOp::Contains {
        let h = s.as_bytes();
        return needles.iter().any(|n| {
            let n = n.as_bytes();
            match op {
                TextOp::Equals => h.eq_ignore_ascii_case(n),
                TextOp::StartsWith => h.len() >= n.len() && h[..n.len()].eq_ignore_ascii_case(n),
                _ => h.len() >= n.len() && h[h.len() - n.len()..].eq_ignore_ascii_case(n),
            }
        });
    }
    scratch.clear();
    if s.is_ascii() {
        scratch.push_str(s);
        scratch.make_ascii_lowercase();
    } else {
        scratch.push_str(&s.to_lowercase());
    }
    let s = scratch.as_str();
    needles.iter().any(|n| match op {
        TextOp::Equals => s == n,
        TextOp::Contains => s.contains(n.as_str()),
        TextOp::StartsWith => s.starts_with(n.as_str()),
        TextOp::EndsWith => s.ends_with(n.as_str()),
        TextOp::Empty => false,
    })
}

#[allow(clippy::needless_pass_by_value)] // string arrays are passed as `&StringArray`, a Copy reference
fn per_value<'a, A: ArrayAccessor<Item = &'a str>>(array: A, op: TextOp, needles: &[String]) -> BooleanBuffer {
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
        let answers = bits_where(keys.values(), |k| table[(k as u32).min(last) as usize]);
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
