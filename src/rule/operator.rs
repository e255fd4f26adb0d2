//! `Operator`: the closed set of rule operators (SPEC §2.3). Every question about an operator —
//! its name in model.json, the column families it fits, the operands it takes, what it negates,
//! what it answers for a null — is an exhaustive `match`, so a new operator makes the compiler list
//! every place that must decide about it (as `DataFusion`'s `Operator` does). CONTRIBUTING.md,
//! "Adding an operator", walks through them.

use std::fmt;

use super::family::TypeFamily;

/// Declares the operators with their model.json names, so that [`Operator::ALL`] and
/// [`Operator::name`] are generated from one list and cannot miss a variant.
macro_rules! operators {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A rule operator, as `"op"` names it in model.json.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operator {
            $($(#[$doc])* $variant,)*
        }

        impl Operator {
            /// Every operator, in the order messages list them.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// Its name in model.json.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }
    };
}

operators! {
    /// Equal to one of the values (strings without regard to case).
    Is = "is",
    /// not(`is`).
    IsNot = "is_not",
    /// Holds one of the values (strings, without regard to case).
    Contains = "contains",
    NotContains = "not_contains",
    StartsWith = "starts_with",
    NotStartsWith = "not_starts_with",
    EndsWith = "ends_with",
    NotEndsWith = "not_ends_with",
    GreaterThan = "greater_than",
    LessThan = "less_than",
    AtLeast = "at_least",
    AtMost = "at_most",
    /// Before the day (a date) or the instant (an RFC 3339 time).
    Before = "before",
    OnOrBefore = "on_or_before",
    After = "after",
    OnOrAfter = "on_or_after",
    /// From `min` to `max`, both included.
    Between = "between",
    /// Within the last `days` days up to the run's as-of time.
    InPast = "in_past",
    /// Within the next `days` days from the run's as-of time.
    InFuture = "in_future",
    /// No value: null, or the empty string.
    IsEmpty = "is_empty",
    IsNotEmpty = "is_not_empty",
}

/// The operands an operator takes in model.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandShape {
    /// `value` or `values` (a list: any of them matches).
    Values,
    /// `min` and `max`.
    MinMax,
    /// `days`.
    Days,
    /// Nothing.
    None,
}

/// What a positive test answers for a null value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullAnswer {
    /// A null never matches.
    No,
    /// A null always matches.
    Yes,
    /// A null reads as the family's zero value, `0` or `false` (as Marketo does): it matches
    /// when one of the values is that zero.
    AsZero,
}

impl Operator {
    /// The operator named `name` in model.json.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// Whether a rule may use it on a column of `family`.
    #[must_use]
    pub const fn fits(self, family: TypeFamily) -> bool {
        use TypeFamily::{Number, Text, Time};
        match self {
            // Boolean columns take only these.
            Self::Is | Self::IsEmpty | Self::IsNotEmpty => true,
            Self::IsNot => matches!(family, Text | Number | Time),
            Self::Contains
            | Self::NotContains
            | Self::StartsWith
            | Self::NotStartsWith
            | Self::EndsWith
            | Self::NotEndsWith => matches!(family, Text),
            Self::GreaterThan | Self::LessThan | Self::AtLeast | Self::AtMost => matches!(family, Number),
            Self::Between => matches!(family, Number | Time),
            Self::Before | Self::OnOrBefore | Self::After | Self::OnOrAfter | Self::InPast | Self::InFuture => {
                matches!(family, Time)
            }
        }
    }

    /// The operators that fit `family`, in [`Operator::ALL`]'s order.
    #[must_use]
    pub fn of(family: TypeFamily) -> Vec<Self> {
        Self::ALL.iter().copied().filter(|op| op.fits(family)).collect()
    }

    /// The operands it takes.
    #[must_use]
    pub const fn operands(self) -> OperandShape {
        match self {
            Self::Is
            | Self::IsNot
            | Self::Contains
            | Self::NotContains
            | Self::StartsWith
            | Self::NotStartsWith
            | Self::EndsWith
            | Self::NotEndsWith
            | Self::GreaterThan
            | Self::LessThan
            | Self::AtLeast
            | Self::AtMost
            | Self::Before
            | Self::OnOrBefore
            | Self::After
            | Self::OnOrAfter => OperandShape::Values,
            Self::Between => OperandShape::MinMax,
            Self::InPast | Self::InFuture => OperandShape::Days,
            Self::IsEmpty | Self::IsNotEmpty => OperandShape::None,
        }
    }

    /// The positive operator it is the negation of (`is_not` → `is`), or `None` for a positive
    /// one. A negated operator is its positive test, nulls included, negated last: where `is`
    /// answers a null with `false`, `is_not` answers it with `true`.
    #[must_use]
    pub const fn negates(self) -> Option<Self> {
        match self {
            Self::IsNot => Some(Self::Is),
            Self::NotContains => Some(Self::Contains),
            Self::NotStartsWith => Some(Self::StartsWith),
            Self::NotEndsWith => Some(Self::EndsWith),
            Self::IsNotEmpty => Some(Self::IsEmpty),
            Self::Is
            | Self::Contains
            | Self::StartsWith
            | Self::EndsWith
            | Self::GreaterThan
            | Self::LessThan
            | Self::AtLeast
            | Self::AtMost
            | Self::Before
            | Self::OnOrBefore
            | Self::After
            | Self::OnOrAfter
            | Self::Between
            | Self::InPast
            | Self::InFuture
            | Self::IsEmpty => None,
        }
    }

    /// What its positive test answers for a null on a `family` column (for a negated operator:
    /// its positive's answer, which the negation then flips).
    #[must_use]
    pub const fn null_answer(self, family: TypeFamily) -> NullAnswer {
        match self {
            // Marketo: a null number is 0, a null boolean false; a null string or time is no value.
            Self::Is | Self::IsNot => match family {
                TypeFamily::Number | TypeFamily::Boolean => NullAnswer::AsZero,
                TypeFamily::Text | TypeFamily::Time => NullAnswer::No,
            },
            // Marketo: "before" also matches people with no value; a null is empty.
            Self::Before | Self::OnOrBefore | Self::IsEmpty | Self::IsNotEmpty => NullAnswer::Yes,
            Self::Contains
            | Self::NotContains
            | Self::StartsWith
            | Self::NotStartsWith
            | Self::EndsWith
            | Self::NotEndsWith
            | Self::GreaterThan
            | Self::LessThan
            | Self::AtLeast
            | Self::AtMost
            | Self::After
            | Self::OnOrAfter
            | Self::Between
            | Self::InPast
            | Self::InFuture => NullAnswer::No,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAMILIES: [TypeFamily; 4] = [TypeFamily::Text, TypeFamily::Number, TypeFamily::Boolean, TypeFamily::Time];

    #[test]
    fn names_parse_back() {
        for &op in Operator::ALL {
            assert_eq!(Operator::parse(op.name()), Some(op));
            assert_eq!(op.to_string(), op.name());
        }
        assert_eq!(Operator::ALL.len(), 21);
        assert_eq!(Operator::parse("IS"), None);
        assert_eq!(Operator::parse("is "), None);
    }

    #[test]
    fn each_family_takes_the_spec_operators() {
        let names = |family| Operator::of(family).iter().map(|op| op.name()).collect::<Vec<_>>().join(" ");
        assert_eq!(
            names(TypeFamily::Text),
            "is is_not contains not_contains starts_with not_starts_with ends_with not_ends_with is_empty is_not_empty"
        );
        assert_eq!(
            names(TypeFamily::Number),
            "is is_not greater_than less_than at_least at_most between is_empty is_not_empty"
        );
        assert_eq!(names(TypeFamily::Boolean), "is is_empty is_not_empty");
        assert_eq!(
            names(TypeFamily::Time),
            "is is_not before on_or_before after on_or_after between in_past in_future is_empty is_not_empty"
        );
        // Every operator fits some family.
        for &op in Operator::ALL {
            assert!(FAMILIES.iter().any(|&f| op.fits(f)), "{op} fits no family");
        }
    }

    #[test]
    fn a_negation_is_of_a_positive_operator_with_the_same_operands_and_families() {
        for &op in Operator::ALL {
            let Some(positive) = op.negates() else { continue };
            assert_eq!(positive.negates(), None, "{op}");
            assert_eq!(positive.operands(), op.operands(), "{op}");
            for family in FAMILIES {
                if op.fits(family) {
                    assert!(positive.fits(family), "{op} on {family}");
                }
                assert_eq!(positive.null_answer(family), op.null_answer(family), "{op} on {family}");
            }
        }
        assert_eq!(Operator::IsNot.negates(), Some(Operator::Is));
        assert_eq!(Operator::IsNotEmpty.negates(), Some(Operator::IsEmpty));
        // Not every `not`-like name is a negation: `at_most` is its own test (nulls never match).
        assert_eq!(Operator::AtMost.negates(), None);
    }

    #[test]
    fn operands_and_null_answers() {
        assert_eq!(Operator::Between.operands(), OperandShape::MinMax);
        assert_eq!(Operator::InFuture.operands(), OperandShape::Days);
        assert_eq!(Operator::IsNotEmpty.operands(), OperandShape::None);
        assert_eq!(Operator::OnOrAfter.operands(), OperandShape::Values);
        assert_eq!(Operator::Is.null_answer(TypeFamily::Number), NullAnswer::AsZero);
        assert_eq!(Operator::Is.null_answer(TypeFamily::Boolean), NullAnswer::AsZero);
        assert_eq!(Operator::Is.null_answer(TypeFamily::Text), NullAnswer::No);
        assert_eq!(Operator::OnOrBefore.null_answer(TypeFamily::Time), NullAnswer::Yes);
        assert_eq!(Operator::OnOrAfter.null_answer(TypeFamily::Time), NullAnswer::No);
        assert_eq!(Operator::IsEmpty.null_answer(TypeFamily::Number), NullAnswer::Yes);
    }
}
