//! What can be wrong with the shards of a run at `commit` (SPEC §8), as fields of
//! `Error::Shard`.

/// Why shard K of a run cannot be committed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardProblem {
    /// No completion marker: the shard never ran, is still running, or was killed.
    #[error(
        "has no completion marker (shard.json): it did not run, or has not finished; run it (again): segcalc run … --shard {shard}/{shards} --run-id {run_id}"
    )]
    Missing { shard: usize, shards: usize, run_id: String },
    /// A marker that does not parse, or belongs to another shard or run.
    #[error("has a completion marker that is not this shard's ({message}); run the shard again")]
    BadMarker { message: String },
    /// The shard was computed for another number of shards.
    #[error("was computed as one of {theirs} shards, not {ours}; run every shard with --shard K/{ours}")]
    OtherCount { theirs: usize, ours: usize },
    /// The shard read other inputs than shard 0.
    #[error("was computed from other inputs than shard 0 ({what} differ); run the shards again on the same inputs")]
    OtherInputs { what: &'static str },
    /// `current` is no longer the run the shard compared its changes with.
    #[error("compared its changes with run {compared}, but `current` is now {current}; run the shards again")]
    CurrentMoved { compared: String, current: String },
}

impl ShardProblem {
    /// SPEC §6 and §8: a shard missing or of other inputs is exit 2; another run published since
    /// the shards ran is 75, as for any run that another run published before.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::CurrentMoved { .. } => 75,
            Self::Missing { .. } | Self::BadMarker { .. } | Self::OtherCount { .. } | Self::OtherInputs { .. } => 2,
        }
    }
}
