//! What can go wrong with an object store (SPEC §7), as fields of `Error::Store`.

/// A problem with an object-store URL, a request to it, or the publish protocol on it.
#[derive(Debug, thiserror::Error)]
pub enum StoreProblem {
    /// Not a URL segcalc can use.
    #[error(
        "is not a usable object-store URL: {reason}; write it as s3://bucket/prefix, gs://bucket/prefix or az://container/prefix"
    )]
    BadUrl { reason: String },
    /// The store's client cannot be configured from the environment.
    #[error(
        "cannot configure the store: {source}; check its environment variables (docs/OPERATIONS.md, object storage)"
    )]
    Config {
        #[source]
        source: object_store::Error,
    },
    /// A request that failed after every retry.
    #[error("{}", request_message(source))]
    Request {
        #[source]
        source: object_store::Error,
    },
    /// The object changed between reading its footer and reading its columns.
    #[error(
        "changed while it was read (its ETag is no longer the one its footer was read at); run again once it is written"
    )]
    Changed,
    /// Another run replaced `current.json` after this run read it: this run did not publish.
    #[error(
        "run {winner} was published first, so this run was not published and its objects were deleted; run again to compute on top of it"
    )]
    PublishedFirst { winner: String },
    /// The lease of this run was taken over by another run while this one worked.
    #[error(
        "another run took over this run's lease ({holder}), so this run was not published and its objects were deleted; run again once that run has finished"
    )]
    LeaseLost { holder: String },
    /// `current.json` that does not say which run is current.
    #[error(
        "is not a current.json segcalc wrote: {message}; write it again by running segcalc, or remove it to start over"
    )]
    BadCurrent { message: String },
    /// A server that refused a conditional write outright (it does not implement them).
    #[error(
        "the store refused a conditional write ({source}); segcalc publishes only where the store has If-Match / If-None-Match"
    )]
    NoConditionalWrites {
        #[source]
        source: object_store::Error,
    },
}

impl StoreProblem {
    /// SPEC §6: a bad URL or configuration is usage (2), a lost race is 75, the rest runtime (1).
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::BadUrl { .. } | Self::Config { .. } => 2,
            Self::PublishedFirst { .. } | Self::LeaseLost { .. } => 75,
            Self::Request { .. } | Self::Changed | Self::BadCurrent { .. } | Self::NoConditionalWrites { .. } => 1,
        }
    }
}

/// The request's failure, with what to do about the common ones.
fn request_message(source: &object_store::Error) -> String {
    let hint = match source {
        object_store::Error::NotFound { .. } => "; check the URL",
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. } => {
            "; check the credentials in the store's environment variables"
        }
        _ => {
            "; the request was retried with backoff for SEGCALC_RETRY_SECONDS (default 60) and still failed: check the endpoint and the network"
        }
    };
    format!("request failed: {source}{hint}")
}
