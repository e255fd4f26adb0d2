//! `TypeFamily`: what a rule may do with a column, decided by its Arrow type alone. Operators
//! ([`super::Operator`]) fit families, and the kernels read a column by its family; the people
//! schema records each column's family, the model checks rules against it.

use std::fmt;

use arrow_schema::DataType;

/// What a rule may do with a column (SPEC §2.3's operator table is per family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeFamily {
    Text,
    Number,
    Boolean,
    Time,
}

impl fmt::Display for TypeFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Text => "string",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Time => "date/timestamp",
        })
    }
}

/// The family of an Arrow type, or `None` for types rules cannot use (lists, structs, ...).
#[must_use]
pub fn family_of(dt: &DataType) -> Option<TypeFamily> {
    Some(match dt {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView => TypeFamily::Text,
        DataType::Dictionary(_, value) => return family_of(value),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => TypeFamily::Number,
        DataType::Boolean => TypeFamily::Boolean,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => TypeFamily::Time,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use arrow_schema::TimeUnit;

    use super::*;

    #[test]
    fn every_readable_type_has_its_family() {
        let dict = DataType::Dictionary(Box::new(DataType::Int16), Box::new(DataType::LargeUtf8));
        assert_eq!(family_of(&dict), Some(TypeFamily::Text));
        assert_eq!(family_of(&DataType::BinaryView), Some(TypeFamily::Text));
        assert_eq!(family_of(&DataType::UInt64), Some(TypeFamily::Number));
        assert_eq!(family_of(&DataType::Decimal256(40, 2)), Some(TypeFamily::Number));
        assert_eq!(family_of(&DataType::Boolean), Some(TypeFamily::Boolean));
        assert_eq!(family_of(&DataType::Timestamp(TimeUnit::Second, Some("UTC".into()))), Some(TypeFamily::Time));
        assert_eq!(family_of(&DataType::Date64), Some(TypeFamily::Time));
        assert_eq!(family_of(&DataType::Time32(TimeUnit::Second)), None);
        assert_eq!(family_of(&DataType::new_list(DataType::Utf8, true)), None);
        assert_eq!(TypeFamily::Time.to_string(), "date/timestamp");
    }
}
