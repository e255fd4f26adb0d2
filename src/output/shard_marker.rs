//! `shards/<ID>/<K>/shard.json`, a shard's completion marker (SPEC §8), written after every
//! other file of the shard: what the shard was computed from, so that `commit` publishes only
//! shards of the same inputs, and which run it compared with for `changes.parquet`.

use serde::{Deserialize, Serialize};

use crate::inputs::Inputs;
use crate::people::Origin;
use crate::shard::{Digest, Shard};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardMarker {
    pub run_id: String,
    pub shard: usize,
    pub shards: usize,
    /// The shard's ids, `[start, end)`.
    pub ids: [u64; 2],
    pub inputs: ShardInputs,
    /// The run `current` named when the shard ran, which its changes compare with (`None`: no
    /// run was published, or `--no-changes`).
    pub previous_run: Option<String>,
    pub finished_at: String,
}

/// What every shard of one run must agree on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInputs {
    /// model.json's digest (FNV-1a 64).
    pub model: String,
    /// (list id, digest of its ids).
    pub lists: Vec<(String, String)>,
    /// (people file, size in bytes).
    pub people: Vec<(String, u64)>,
    pub as_of: String,
    pub changes: bool,
}

impl ShardInputs {
    #[must_use]
    pub fn new(inputs: &Inputs, as_of: &str, changes: bool) -> Self {
        let lists = inputs
            .model
            .used_lists
            .iter()
            .map(|&l| {
                let mut bytes = Vec::new();
                inputs.lists[l].serialize_into(&mut bytes).expect("a bitmap serialises into memory");
                (inputs.model.lists[l].clone(), Digest::of(&bytes))
            })
            .collect();
        let people = inputs
            .source
            .files
            .iter()
            .map(|f| {
                let size = match &f.origin {
                    Origin::Local(stamp) => stamp.len,
                    Origin::Remote(object) => object.size,
                };
                (f.path.display().to_string(), size)
            })
            .collect();
        Self { model: inputs.model_digest.clone(), lists, people, as_of: as_of.to_owned(), changes }
    }

    /// The first input in which `self` and `other` differ, for the commit's message.
    #[must_use]
    pub fn first_difference(&self, other: &Self) -> Option<&'static str> {
        if self.model != other.model {
            Some("model.json")
        } else if self.lists != other.lists {
            Some("the static lists")
        } else if self.people != other.people {
            Some("the people files (names or sizes)")
        } else if self.as_of != other.as_of {
            Some("--as-of")
        } else if self.changes != other.changes {
            Some("--no-changes")
        } else {
            None
        }
    }
}

impl ShardMarker {
    #[must_use]
    pub fn new(shard: &Shard, ids: &std::ops::Range<u64>, inputs: ShardInputs, previous_run: Option<String>) -> Self {
        Self {
            run_id: shard.run_id.clone(),
            shard: shard.index,
            shards: shard.count,
            ids: [ids.start, ids.end],
            inputs,
            previous_run,
            finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }

    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("strings, numbers and lists always serialise")
    }
}
