//! What can be wrong with the files of a published run, as fields of `Error::DamagedRun`.

use super::{name_list, shorten};

/// What to do about a run changed after it was published.
const CHANGED: &str = "the run was changed after it was published: the next `segcalc run` publishes a new one, and `show --run ID` reads an earlier one";

/// Why bytes are not a portable Roaring bitmap, as `PortableBitmap::from_bytes` finds it. The
/// checks are roaring-rs's `deserialize_from`'s, so bytes accepted here are a valid bitmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BitmapProblem {
    #[error("the header is cut short")]
    HeaderCutShort,
    #[error("{cookie} is not a Roaring cookie")]
    NotACookie { cookie: u32 },
    #[error("{count} containers, more than 65536")]
    TooManyContainers { count: usize },
    #[error("container {container} is cut short")]
    ContainerCutShort { container: usize },
    #[error("container {container} is a run container with no runs")]
    NoRuns { container: usize },
    /// A run that passes the end of its container, or overlaps or touches the run before it.
    #[error("container {container} has a run past its end or overlapping the one before")]
    BadRun { container: usize },
    #[error("container {container} says it holds {declared} ids but holds {actual}")]
    Cardinality { container: usize, declared: usize, actual: usize },
    /// Ids not strictly ascending: containers out of key order, or an array out of order.
    #[error("ids out of order")]
    OutOfOrder,
}

/// What is wrong with a file of a published run: it was changed, cut short or removed after the
/// run was published (runs are written once and never changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunDamage {
    /// A run folder without the manifest a run writes last; `runs`: the complete runs there are.
    #[error(
        "is not a complete run (no manifest.json); complete runs there: {} (`show --run ID` reads one)",
        if runs.is_empty() { "none".to_owned() } else { name_list(runs) }
    )]
    Incomplete { runs: Vec<String> },
    /// A file the run's manifest names is not there.
    #[error("is missing; {CHANGED}")]
    Missing,
    #[error("is not a portable Roaring bitmap: {0}; {CHANGED}")]
    Bitmap(#[from] BitmapProblem),
    /// A Parquet file of the run (history, changes) without the columns a run writes there.
    #[error("does not hold the columns a run writes there ({expected}); {CHANGED}")]
    Columns { expected: &'static str },
    /// More segments than the change computation can number (255).
    #[error(
        "says segmentation `{}` has {segments} segments, more than a run can hold; {CHANGED}",
        shorten(segmentation)
    )]
    TooManySegments { segmentation: String, segments: usize },
}

impl RunDamage {
    /// SPEC §6: a run that is not complete is not one to choose (2, as a wrong `--run`); a
    /// damaged file is a runtime failure (1), as corrupt Parquet is.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Incomplete { .. } => 2,
            Self::Missing | Self::Bitmap(_) | Self::Columns { .. } | Self::TooManySegments { .. } => 1,
        }
    }
}
