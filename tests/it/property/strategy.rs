//! The proptest strategies: cell draws near every boundary a rule can draw, conditions of every
//! operator, logic and rule trees, file layouts, unique person ids, and the whole [`Case`].

use arrow_schema::DataType;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::dataset::FileLayout;
use super::pools::{
    COLUMNS, DAY_LITERALS, DAYS, EXTREME_LITERALS, Family, INSTANT_LITERALS, NANOS_PER_DAY, NEEDLES, NULL_THRESHOLDS,
    NUMBER_LITERALS, types_of,
};
use super::rule::{Cond, Lit, Logic, Operand, Rule};
use super::value::{TimeLit, as_of_nanos};

/// Nudges around each anchor instant, in nanoseconds.
const DELTAS: &[i128] = &[
    0,
    0,
    1,
    -1,
    999,
    -1_000,
    1_000_000,
    -1_000_000,
    1_000_000_000,
    -1_000_000_000,
    3_600_000_000_000,
    -3_600_000_000_000,
    43_200_000_000_000,
    -43_200_000_000_000,
    86_399_999_999_999,
];

/// Instants near every boundary the rules can draw (literals, as-of ± N days, midnights),
/// nudged by a nanosecond up to half a day, plus uniform draws over 2025-12 … 2026-12.
fn instant_strategy() -> BoxedStrategy<i128> {
    let as_of = as_of_nanos();
    let today = as_of.div_euclid(NANOS_PER_DAY) * NANOS_PER_DAY;
    let mut anchors: Vec<i128> = Vec::new();
    for n in DAYS {
        let n = i128::from(*n) * NANOS_PER_DAY;
        anchors.extend([as_of - n, as_of + n, today - n, today + n]);
    }
    // Far beyond every type: the ends of each type, after clamping.
    anchors.extend([10i128.pow(30), -(10i128.pow(30))]);
    for text in DAY_LITERALS.iter().chain(INSTANT_LITERALS) {
        anchors.push(TimeLit::parse(text).nanos());
    }
    let start = TimeLit::parse("2025-12-01").nanos();
    let end = TimeLit::parse("2027-01-01").nanos();
    prop_oneof![
        4 => (select(anchors), select(DELTAS)).prop_map(|(a, d)| a + d),
        1 => start..end,
        1 => (start / NANOS_PER_DAY..end / NANOS_PER_DAY).prop_map(|d| d * NANOS_PER_DAY),
    ]
    .boxed()
}

fn cell_strategy(family: Family) -> BoxedStrategy<i128> {
    match family {
        Family::Date | Family::Timestamp => instant_strategy(),
        _ => (0..10_000i128).boxed(),
    }
}

fn values_operand(lits: Vec<Lit>, single: bool) -> Operand {
    if single && lits.len() == 1 {
        Operand::Value(lits.into_iter().next().expect("one literal"))
    } else {
        Operand::Values(lits)
    }
}

fn text_literal() -> impl Strategy<Value = Lit> {
    (select(NEEDLES), 0..3u8).prop_map(|(s, case)| {
        Lit::Text(match case {
            0 => s.to_owned(),
            1 => s.to_uppercase(),
            _ => s.to_lowercase(),
        })
    })
}

fn number_literal() -> impl Strategy<Value = Lit> {
    prop_oneof![4 => select(NUMBER_LITERALS), 1 => select(EXTREME_LITERALS)].prop_map(Lit::Number)
}

fn day_literal() -> impl Strategy<Value = Lit> {
    select(DAY_LITERALS).prop_map(Lit::Time)
}

fn instant_literal() -> impl Strategy<Value = Lit> {
    select(INSTANT_LITERALS).prop_map(Lit::Time)
}

fn time_literal() -> BoxedStrategy<Lit> {
    prop_oneof![day_literal(), instant_literal()].boxed()
}

/// `(min, max)` in order.
fn ordered(a: Lit, b: Lit, key: fn(&Lit) -> i128) -> Operand {
    if key(&a) <= key(&b) { Operand::Between(a, b) } else { Operand::Between(b, a) }
}

fn cond_strategy() -> BoxedStrategy<Cond> {
    (0..COLUMNS.len())
        .prop_flat_map(|column| {
            let cond = move |(op, operand): (&'static str, Operand)| Cond { column, op, operand };
            let empty = select(&["is_empty", "is_not_empty"][..]).prop_map(|op| (op, Operand::None));
            let operands: BoxedStrategy<(&'static str, Operand)> = match COLUMNS[column].1 {
                Family::Text => prop_oneof![
                    4 => (
                        select(
                            &[
                                "is",
                                "is_not",
                                "contains",
                                "not_contains",
                                "starts_with",
                                "not_starts_with",
                                "ends_with",
                                "not_ends_with",
                            ][..]
                        ),
                        vec(text_literal(), 1..=3),
                        any::<bool>()
                    )
                        .prop_map(|(op, lits, single)| (op, values_operand(lits, single))),
                    1 => empty,
                ]
                .boxed(),
                Family::Int | Family::Float | Family::Decimal => prop_oneof![
                    4 => (
                        select(
                            &["is", "is_not", "greater_than", "less_than", "at_least", "at_most"][..]
                        ),
                        vec(number_literal(), 1..=3),
                        any::<bool>()
                    )
                        .prop_map(|(op, lits, single)| (op, values_operand(lits, single))),
                    1 => (number_literal(), number_literal()).prop_map(|(a, b)| {
                        let between = if a.number().cmp(b.number()).is_le() {
                            Operand::Between(a, b)
                        } else {
                            Operand::Between(b, a)
                        };
                        ("between", between)
                    }),
                    1 => empty,
                ]
                .boxed(),
                Family::Bool => prop_oneof![
                    3 => (vec(any::<bool>(), 1..=2), any::<bool>()).prop_map(|(bs, single)| {
                        ("is", values_operand(bs.into_iter().map(Lit::Bool).collect(), single))
                    }),
                    1 => empty,
                ]
                .boxed(),
                Family::Date | Family::Timestamp => prop_oneof![
                    4 => (
                        select(
                            &["is", "is_not", "before", "on_or_before", "after", "on_or_after"][..]
                        ),
                        vec(time_literal(), 1..=2),
                        any::<bool>()
                    )
                        .prop_map(|(op, lits, single)| (op, values_operand(lits, single))),
                    1 => prop_oneof![
                        (day_literal(), day_literal()),
                        (instant_literal(), instant_literal()),
                    ]
                    .prop_map(|(a, b)| ("between", ordered(a, b, |l| l.time().nanos()))),
                    2 => (select(&["in_past", "in_future"][..]), select(DAYS))
                        .prop_map(|(op, n)| (op, Operand::Days(n))),
                    1 => empty,
                ]
                .boxed(),
            };
            operands.prop_map(cond)
        })
        .boxed()
}

fn logic_strategy(filters: usize, depth: u32) -> BoxedStrategy<Logic> {
    let leaf = (0..filters).prop_map(Logic::Filter);
    if depth == 0 {
        return leaf.boxed();
    }
    let sub = || logic_strategy(filters, depth - 1);
    prop_oneof![
        3 => leaf,
        1 => sub().prop_map(|l| Logic::Not(Box::new(l))),
        2 => vec(sub(), 2..=3).prop_map(Logic::And),
        2 => vec(sub(), 2..=3).prop_map(Logic::Or),
        1 => sub().prop_map(|l| Logic::Paren(Box::new(l))),
    ]
    .boxed()
}

fn filters_strategy() -> BoxedStrategy<Rule> {
    vec(cond_strategy(), 1..=4)
        .prop_flat_map(|filters| {
            let n = filters.len();
            (Just(filters), prop::option::weighted(0.8, logic_strategy(n, 3)), 0..3usize)
        })
        .prop_map(|(filters, logic, keywords)| Rule::Filters { filters, logic, keywords })
        .boxed()
}

fn rule_strategy(depth: u32) -> BoxedStrategy<Rule> {
    let leaf = prop_oneof![
        3 => cond_strategy().prop_map(Rule::Cond),
        1 => filters_strategy(),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let sub = || rule_strategy(depth - 1);
    prop_oneof![
        2 => leaf,
        1 => vec(sub(), 1..=3).prop_map(Rule::All),
        1 => vec(sub(), 1..=3).prop_map(Rule::Any),
        1 => sub().prop_map(|r| Rule::Not(Box::new(r))),
    ]
    .boxed()
}

fn layout_strategy() -> impl Strategy<Value = FileLayout> {
    let types: Vec<_> = COLUMNS.iter().map(|(_, f)| select(types_of(*f))).collect();
    let partition_types = vec![
        DataType::Utf8,
        DataType::LargeUtf8,
        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
    ];
    (
        0..=1000usize,
        select(vec![DataType::UInt32, DataType::Int64, DataType::UInt64]),
        select(partition_types),
        types,
        Just((0..COLUMNS.len() + 2).collect::<Vec<_>>()).prop_shuffle(),
        prop::option::of(1..=64usize),
        any::<bool>(),
        prop::bool::weighted(0.2),
        1..=64usize,
    )
        .prop_map(
            |(
                cut,
                id_type,
                partition_type,
                types,
                order,
                row_group_rows,
                dictionary,
                tiny_dictionary_pages,
                page_rows,
            )| FileLayout {
                cut,
                id_type,
                partition_type,
                types,
                order,
                row_group_rows,
                dictionary,
                tiny_dictionary_pages,
                page_rows,
            },
        )
}

#[derive(Debug, Clone)]
pub(super) struct Case {
    /// Person ids, one per row, unique.
    pub(super) ids: Vec<u32>,
    /// `cells[row][column]`: the raw draw for `COLUMNS[column]`, `None` for a null.
    pub(super) cells: Vec<Vec<Option<i128>>>,
    pub(super) files: Vec<FileLayout>,
    /// Per approved segmentation, the rules of its segments in order.
    pub(super) segmentations: Vec<Vec<Rule>>,
}

/// One row's draws: per column, a null draw (null when below the column's threshold) and a value.
type RawRow = Vec<(u8, i128)>;

pub(super) fn case_strategy() -> impl Strategy<Value = Case> {
    // No `prop_flat_map` here: every part shrinks on its own (fewer rows, simpler rules).
    let row: Vec<_> = COLUMNS.iter().map(|(_, family)| (any::<u8>(), cell_strategy(*family))).collect();
    (
        (0..4u8, any::<u32>(), any::<u32>()),
        vec(select(NULL_THRESHOLDS), COLUMNS.len()),
        vec(row, 1..=300),
        vec(layout_strategy(), 1..=3),
        vec(vec(rule_strategy(3), 1..=4), 1..=3),
    )
        .prop_map(|(id_scheme, thresholds, raw, files, segmentations)| {
            let cells = raw
                .iter()
                .map(|row: &RawRow| {
                    row.iter()
                        .zip(&thresholds)
                        .map(|(&(draw, value), &threshold)| (u16::from(draw) >= threshold).then_some(value))
                        .collect()
                })
                .collect();
            Case { ids: person_ids(id_scheme, raw.len()), cells, files, segmentations }
        })
}

/// Unique ids by construction: dense from 0, dense down from `u32::MAX`, an odd multiplier (a
/// bijection of u32) scattering them over the whole range, or dense and interleaved.
fn person_ids((scheme, a, b): (u8, u32, u32), rows: usize) -> Vec<u32> {
    let n = rows as u32;
    (0..n)
        .map(|i| match scheme {
            0 => i,
            1 => u32::MAX - i,
            2 => i.wrapping_mul(a | 1).wrapping_add(b),
            _ if i % 2 == 0 => i / 2,
            _ => n - 1 - i / 2,
        })
        .collect()
}
