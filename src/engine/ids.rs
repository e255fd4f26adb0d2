//! Person ids: any Parquet integer column, checked against SPEC §2.1 (never null, within
//! 0..=4294967295) and narrowed to `u32`, the width of a Roaring bitmap.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{ArrowError, DataType};

/// How many example rows an error keeps per kind of problem.
pub const EXAMPLES: usize = 5;

/// Problems found in one batch of ids; row numbers are within the batch.
#[derive(Debug, Default)]
pub struct IdProblems {
    pub nulls: u64,
    pub null_rows: Vec<usize>,
    pub out_of_range: u64,
    pub out_of_range_rows: Vec<(usize, String)>,
}

impl IdProblems {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nulls == 0 && self.out_of_range == 0
    }
}

/// Narrows `array` to `u32` ids; rows with problems get id 0 and are listed in the problems.
pub fn to_u32(array: &ArrayRef) -> Result<(Vec<u32>, IdProblems), ArrowError> {
    let mut problems = IdProblems::default();
    let mut ids = Vec::with_capacity(array.len());
    let nulls = array.logical_nulls();
    let is_null = |i: usize| nulls.as_ref().is_some_and(|n| n.is_null(i));
    let mut push = |i: usize, value: Option<i128>, problems: &mut IdProblems| match value {
        _ if is_null(i) => {
            problems.nulls += 1;
            if problems.null_rows.len() < EXAMPLES {
                problems.null_rows.push(i);
            }
            ids.push(0);
        }
        Some(v) if (0..=i128::from(u32::MAX)).contains(&v) => ids.push(v as u32),
        v => {
            problems.out_of_range += 1;
            if problems.out_of_range_rows.len() < EXAMPLES {
                problems.out_of_range_rows.push((i, v.map_or_else(|| "?".to_owned(), |v| v.to_string())));
            }
            ids.push(0);
        }
    };
    match array.data_type() {
        DataType::UInt64 => {
            for (i, v) in array.as_primitive::<UInt64Type>().values().iter().enumerate() {
                push(i, Some(i128::from(*v)), &mut problems);
            }
        }
        dt if dt.is_integer() => {
            let wide = arrow_cast::cast(array, &DataType::Int64)?;
            for (i, v) in wide.as_primitive::<Int64Type>().values().iter().enumerate() {
                push(i, Some(i128::from(*v)), &mut problems);
            }
        }
        other => {
            return Err(ArrowError::InvalidArgumentError(format!("ids must be integers, found {other}")));
        }
    }
    Ok((ids, problems))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int64Array, UInt64Array};

    use super::*;

    #[test]
    fn narrows_and_reports_bad_ids() {
        let array: ArrayRef =
            Arc::new(Int64Array::from(vec![Some(7), None, Some(-1), Some(4_294_967_295), Some(4_294_967_296)]));
        let (ids, problems) = to_u32(&array).unwrap();
        assert_eq!(ids, vec![7, 0, 0, u32::MAX, 0]);
        assert_eq!((problems.nulls, problems.null_rows.clone()), (1, vec![1]));
        assert_eq!(problems.out_of_range, 2);
        assert_eq!(problems.out_of_range_rows, vec![(2, "-1".to_owned()), (4, "4294967296".to_owned())]);
        let array: ArrayRef = Arc::new(UInt64Array::from(vec![u64::MAX]));
        assert_eq!(to_u32(&array).unwrap().1.out_of_range, 1);
    }
}
