//! Partition codes: each person's partition as a small integer. Codes `0..P` are the partitions
//! the model names (sorted), `P` is a partition no workspace names (seen only by `"all"`
//! workspaces), `P + 1` is a null partition (seen by nobody).

use std::collections::{BTreeMap, HashMap};

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayAccessor, ArrayRef};
use arrow_schema::{ArrowError, DataType};

use crate::model::Model;

pub type PartitionCode = u16;

/// Maps partition values to codes, and codes to the workspaces that see them.
#[derive(Debug, Clone)]
pub struct PartitionCodes {
    by_name: HashMap<String, PartitionCode>,
    pub other: PartitionCode,
    pub null: PartitionCode,
    /// `sees[w][code]`: does workspace `w` see people of partition `code`?
    pub sees: Vec<Vec<bool>>,
}

impl PartitionCodes {
    /// How many of `partitions` (one code per person) have each code, `0..=null`.
    #[must_use]
    pub fn people_per_code(&self, partitions: &[PartitionCode]) -> Vec<u64> {
        let mut per_code = vec![0u64; usize::from(self.null) + 1];
        for &p in partitions {
            per_code[usize::from(p)] += 1;
        }
        per_code
    }

    /// Does some workspace see people of partition `code`?
    #[must_use]
    pub fn seen(&self, code: PartitionCode) -> bool {
        self.sees.iter().any(|w| w[usize::from(code)])
    }

    /// People whose partition code (`per_code`: people per code) no workspace sees.
    #[must_use]
    pub fn people_in_no_workspace(&self, per_code: &[u64]) -> u64 {
        per_code.iter().enumerate().filter(|&(code, _)| !self.seen(code as PartitionCode)).map(|(_, n)| n).sum()
    }

    #[must_use]
    pub fn new(model: &Model) -> Self {
        let by_name = model.partitions.iter().enumerate().map(|(i, p)| (p.clone(), i as PartitionCode)).collect();
        let other = model.partitions.len() as PartitionCode;
        let null = other + 1;
        let sees = model
            .workspaces
            .iter()
            .map(|w| {
                (0..=null)
                    .map(|code| match code {
                        c if c == null => false,
                        c if c == other => w.partitions == crate::model::PartitionSet::All,
                        c => w.partitions.contains(usize::from(c)),
                    })
                    .collect()
            })
            .collect();
        Self { by_name, other, null, sees }
    }

    fn code(&self, name: &str) -> PartitionCode {
        self.by_name.get(name).copied().unwrap_or(self.other)
    }

    /// Codes for one batch; values no workspace names are counted by name in `unlisted`.
    pub fn encode(
        &self,
        array: &ArrayRef,
        unlisted: &mut BTreeMap<String, u64>,
    ) -> Result<Vec<PartitionCode>, ArrowError> {
        let mut out = Vec::with_capacity(array.len());
        match array.data_type() {
            DataType::Dictionary(..) => {
                let dict = array.as_any_dictionary();
                let values = self.encode(dict.values(), &mut BTreeMap::new())?;
                let names = arrow_cast::cast(dict.values(), &DataType::Utf8)?;
                let names = names.as_string::<i32>();
                let keys = arrow_cast::cast(dict.keys(), &DataType::Int64)?;
                let keys = keys.as_primitive::<Int64Type>();
                for i in 0..keys.len() {
                    let code = if keys.is_null(i) {
                        self.null
                    } else {
                        let k = keys.value(i) as usize;
                        let code = values.get(k).copied().unwrap_or(self.null);
                        if code == self.other {
                            *unlisted.entry(names.value(k).to_owned()).or_default() += 1;
                        }
                        code
                    };
                    out.push(code);
                }
            }
            DataType::Utf8 => self.encode_strings(array.as_string::<i32>(), unlisted, &mut out),
            DataType::LargeUtf8 => self.encode_strings(array.as_string::<i64>(), unlisted, &mut out),
            DataType::Utf8View => self.encode_strings(array.as_string_view(), unlisted, &mut out),
            dt if dt.is_integer() => {
                // An integer partition is read as its decimal text.
                let wide = arrow_cast::cast(array, &DataType::Utf8)?;
                self.encode_strings(wide.as_string::<i32>(), unlisted, &mut out);
            }
            other => {
                return Err(ArrowError::InvalidArgumentError(format!(
                    "the partition column must hold strings or integers, found {other}"
                )));
            }
        }
        Ok(out)
    }

    #[allow(clippy::needless_pass_by_value)] // string arrays are passed as `&StringArray`, a Copy reference
    fn encode_strings<'a, A: ArrayAccessor<Item = &'a str>>(
        &self,
        array: A,
        unlisted: &mut BTreeMap<String, u64>,
        out: &mut Vec<PartitionCode>,
    ) {
        for i in 0..array.len() {
            if array.is_null(i) {
                out.push(self.null);
                continue;
            }
            let name = array.value(i);
            let code = self.code(name);
            if code == self.other {
                *unlisted.entry(name.to_owned()).or_default() += 1;
            }
            out.push(code);
        }
    }
}
