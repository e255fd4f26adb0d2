//! The movement matrix (SPEC §9): per segmentation, how many people went from each segment of
//! an earlier run to each segment of a later one, entering and leaving the scope included.
//!
//! One type, [`Movement`], built one way, [`Movement::new`]: from the later run's segment counts
//! and the counted changes (`from` ≠ `to`). The diagonal (people who stayed) follows from the
//! counts, so the changes alone say everything: `run --dry-run` counts the rows `diff_runs`
//! gives (the rows `changes.parquet` gets), `report` counts a run's `changes.parquet`, and
//! `diff` counts intersections of two runs' segment sets ([`Changes::between`]).

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use roaring::RoaringBitmap;
use serde::Serialize;

use super::changes::ChangeRow;

/// Where a person was and went in one segmentation: a segment, or `None` (outside the scope).
pub type Place = Option<String>;

/// How many people went from one place to another, per segmentation id (`from` ≠ `to`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    per: BTreeMap<String, BTreeMap<(Place, Place), u64>>,
}

impl Changes {
    /// Counts `people` who went from `from` to `to` in `segmentation`; staying is no change.
    pub fn add(&mut self, segmentation: &str, from: Option<&str>, to: Option<&str>, people: u64) {
        if from == to || people == 0 {
            return;
        }
        let cells = self.per.entry(segmentation.to_owned()).or_default();
        *cells.entry((from.map(str::to_owned), to.map(str::to_owned))).or_default() += people;
    }

    /// The change rows of a run (`diff_runs`, or `changes.parquet` read back), counted.
    #[must_use]
    pub fn of_rows(rows: &[ChangeRow]) -> Self {
        let mut changes = Self::default();
        for r in rows {
            changes.add(&r.segmentation, r.old_segment.as_deref(), r.new_segment.as_deref(), 1);
        }
        changes
    }

    /// The rows of a run's changes.parquet (the columns `write_changes` writes), counted batch by
    /// batch; `None` when a batch lacks those columns.
    #[must_use]
    pub fn of_batches(batches: &[RecordBatch]) -> Option<Self> {
        let mut changes = Self::default();
        for batch in batches {
            let text = |name: &str| batch.column_by_name(name).and_then(|c| c.as_string_opt::<i32>());
            let (Some(segmentation), Some(old), Some(new)) =
                (text("segmentation"), text("old_segment"), text("new_segment"))
            else {
                return None;
            };
            for i in 0..batch.num_rows() {
                changes.add(value(segmentation, i)?, value(old, i), value(new, i), 1);
            }
        }
        Some(changes)
    }

    /// The changes of one segmentation between two runs, from its segment sets in each (the
    /// origin's bitmaps, which hold the whole scope): a person is in at most one segment of a
    /// run, so `|old ∩ new|` counts each move, and what an old (new) set keeps after its
    /// intersections left (entered) the scope.
    pub fn between(&mut self, segmentation: &str, old: &[(String, RoaringBitmap)], new: &[(String, RoaringBitmap)]) {
        let mut entered: Vec<u64> = new.iter().map(|(_, set)| set.len()).collect();
        for (from, old_set) in old {
            let mut left = old_set.len();
            for ((to, new_set), entering) in new.iter().zip(&mut entered) {
                let both = old_set.intersection_len(new_set);
                left -= both;
                *entering -= both;
                if from != to {
                    self.add(segmentation, Some(from), Some(to), both);
                }
            }
            self.add(segmentation, Some(from), None, left);
        }
        for ((to, _), entering) in new.iter().zip(entered) {
            self.add(segmentation, None, Some(to), entering);
        }
    }

    /// One movement per segmentation: those of `counts` (the later run's, in its order), then
    /// the segmentations only the changes name (gone from the later run), by id.
    #[must_use]
    pub fn movements(&self, counts: &[(String, Vec<(String, u64)>)]) -> Vec<Movement> {
        let none = BTreeMap::new();
        let mut out: Vec<Movement> = counts
            .iter()
            .map(|(id, segments)| Movement::new(id, segments, self.per.get(id).unwrap_or(&none)))
            .collect();
        for (id, cells) in &self.per {
            if !counts.iter().any(|(known, _)| known == id) {
                out.push(Movement::new(id, &[], cells));
            }
        }
        out
    }
}

/// Row `i` of a string column, `None` when null.
fn value(column: &arrow_array::StringArray, i: usize) -> Option<&str> {
    column.is_valid(i).then(|| column.value(i))
}

/// One segmentation's movement matrix, as `--json` prints it (schema in docs/EXPLAIN.md).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Movement {
    pub segmentation: String,
    /// The matrix's segments: the later run's in order, then earlier ones that are gone (by id).
    pub segments: Vec<String>,
    /// Every cell that is not zero, by `from` then `to` in `segments` order, `None` last:
    /// `from` null = entered the scope, `to` null = left it, `from` = `to`: stayed.
    pub cells: Vec<Cell>,
    pub totals: Totals,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cell {
    pub from: Place,
    pub to: Place,
    pub people: u64,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    /// In the same segment in both runs.
    pub stayed: u64,
    /// From one segment to another.
    pub moved: u64,
    /// Into the scope (in no segment before).
    pub entered: u64,
    /// Out of the scope (in no segment after).
    pub left: u64,
}

impl Totals {
    /// People whose place changed.
    #[must_use]
    pub fn changed(&self) -> u64 {
        self.moved + self.entered + self.left
    }

    pub fn add(&mut self, other: &Self) {
        self.stayed += other.stayed;
        self.moved += other.moved;
        self.entered += other.entered;
        self.left += other.left;
    }
}

impl Movement {
    /// The matrix of `segmentation` whose later run counts `counts` people per segment, given
    /// its changes. Who stayed in `g` is `g`'s count less those who came into it.
    #[must_use]
    pub fn new(segmentation: &str, counts: &[(String, u64)], changes: &BTreeMap<(Place, Place), u64>) -> Self {
        let mut segments: Vec<String> = counts.iter().map(|(id, _)| id.clone()).collect();
        let mut gone: Vec<&String> = changes.keys().flat_map(|(from, to)| [from, to]).flatten().collect();
        gone.sort_unstable();
        gone.dedup();
        segments.extend(gone.into_iter().filter(|g| !counts.iter().any(|(id, _)| id == *g)).cloned());
        let mut cells: Vec<Cell> =
            changes.iter().map(|((from, to), &people)| Cell { from: from.clone(), to: to.clone(), people }).collect();
        for (id, count) in counts {
            let came: u64 = cells.iter().filter(|c| c.to.as_ref() == Some(id)).map(|c| c.people).sum();
            // Saturating: a changes.parquet that claims more than the count is damaged, and its
            // cells are shown as they are.
            let stayed = count.saturating_sub(came);
            if stayed > 0 {
                cells.push(Cell { from: Some(id.clone()), to: Some(id.clone()), people: stayed });
            }
        }
        let rank = |place: &Place| {
            place.as_ref().map_or(segments.len(), |g| segments.iter().position(|s| s == g).unwrap_or(0))
        };
        cells.sort_by_key(|c| (rank(&c.from), rank(&c.to)));
        let mut totals = Totals::default();
        for c in &cells {
            let n = c.people;
            match (&c.from, &c.to) {
                (Some(f), Some(t)) if f == t => totals.stayed += n,
                (Some(_), Some(_)) => totals.moved += n,
                (None, _) => totals.entered += n,
                (Some(_), None) => totals.left += n,
            }
        }
        Self { segmentation: segmentation.to_owned(), segments, cells, totals }
    }

    /// The people of one cell (0 when it is not in the matrix).
    #[must_use]
    pub fn people(&self, from: Option<&str>, to: Option<&str>) -> u64 {
        self.cells.iter().find(|c| c.from.as_deref() == from && c.to.as_deref() == to).map_or(0, |c| c.people)
    }

    /// Every cell where someone changed place, as `(from, to, people)`: what changes.parquet
    /// counts.
    #[must_use]
    pub fn changed_cells(&self) -> Vec<(Place, Place, u64)> {
        self.cells.iter().filter(|c| c.from != c.to).map(|c| (c.from.clone(), c.to.clone(), c.people)).collect()
    }
}

/// Totals over every matrix.
#[must_use]
pub fn grand_totals(movements: &[Movement]) -> Totals {
    let mut totals = Totals::default();
    for m in movements {
        totals.add(&m.totals);
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bitmap(ids: &[u32]) -> RoaringBitmap {
        ids.iter().copied().collect()
    }

    fn named(sets: &[(&str, &[u32])]) -> Vec<(String, RoaringBitmap)> {
        sets.iter().map(|(id, ids)| ((*id).to_owned(), bitmap(ids))).collect()
    }

    /// The matrix from intersections equals the one from a person-by-person comparison.
    #[test]
    fn intersections_count_what_a_row_by_row_comparison_counts() {
        let old = named(&[("a", &[1, 2, 3, 4]), ("b", &[5, 6]), ("gone", &[7, 8])]);
        let new = named(&[("a", &[1, 5, 7]), ("b", &[2, 6, 9]), ("new", &[3, 10])]);
        let mut changes = Changes::default();
        changes.between("s", &old, &new);
        let counts: Vec<(String, u64)> = new.iter().map(|(g, s)| (g.clone(), s.len())).collect();
        let movement = &changes.movements(&[("s".to_owned(), counts)])[0];
        let place = |sets: &[(String, RoaringBitmap)], id: u32| {
            sets.iter().find(|(_, s)| s.contains(id)).map(|(g, _)| g.clone())
        };
        let mut naive: BTreeMap<(Place, Place), u64> = BTreeMap::new();
        for id in 0..12 {
            let (from, to) = (place(&old, id), place(&new, id));
            if from.is_some() || to.is_some() {
                *naive.entry((from, to)).or_default() += 1;
            }
        }
        let cells: BTreeMap<(Place, Place), u64> =
            movement.cells.iter().map(|c| ((c.from.clone(), c.to.clone()), c.people)).collect();
        assert_eq!(cells, naive);
        assert_eq!(movement.totals, Totals { stayed: 2, moved: 4, entered: 2, left: 2 });
        assert_eq!(movement.segments, ["a", "b", "new", "gone"]);
        assert_eq!(movement.people(Some("gone"), Some("a")), 1);
        assert_eq!(movement.people(None, Some("new")), 1);
    }

    #[test]
    fn rows_give_the_changed_cells_and_counts_give_who_stayed() {
        let row = |old: Option<&str>, new: Option<&str>| ChangeRow {
            segmentation: "s".into(),
            person_id: 0,
            old_segment: old.map(str::to_owned),
            new_segment: new.map(str::to_owned),
        };
        let rows = [row(Some("a"), Some("b")), row(Some("a"), Some("b")), row(None, Some("a")), row(Some("b"), None)];
        let changes = Changes::of_rows(&rows);
        let m = &changes.movements(&[("s".into(), vec![("a".into(), 5), ("b".into(), 4)])])[0];
        assert_eq!(m.people(Some("a"), Some("a")), 4);
        assert_eq!(m.people(Some("b"), Some("b")), 2);
        assert_eq!(m.totals, Totals { stayed: 6, moved: 2, entered: 1, left: 1 });
        assert_eq!(m.totals.changed(), 4);
        assert_eq!(
            m.changed_cells(),
            [(Some("a".into()), Some("b".into()), 2), (Some("b".into()), None, 1), (None, Some("a".into()), 1)]
        );
        // The cells run by `from` then `to`, outside the scope last.
        let order: Vec<(Place, Place)> = m.cells.iter().map(|c| (c.from.clone(), c.to.clone())).collect();
        assert_eq!(order[0], (Some("a".into()), Some("a".into())));
        assert_eq!(order.last().unwrap(), &(None, Some("a".into())));
    }

    #[test]
    fn a_segmentation_only_the_changes_name_comes_last_with_everyone_leaving() {
        let mut changes = Changes::default();
        changes.add("old", Some("x"), None, 3);
        changes.add("s", Some("a"), Some("a"), 9);
        let all = changes.movements(&[("s".into(), vec![("a".into(), 2)])]);
        assert_eq!(all.iter().map(|m| m.segmentation.as_str()).collect::<Vec<_>>(), ["s", "old"]);
        assert_eq!(all[0].totals, Totals { stayed: 2, ..Totals::default() }, "staying is no change");
        assert_eq!(all[1].totals, Totals { left: 3, ..Totals::default() });
        assert_eq!(grand_totals(&all).changed(), 3);
    }
}
