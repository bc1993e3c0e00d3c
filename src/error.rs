//! Typed errors of the library. The binary prints them as one line naming the file.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: is a directory, not a file")]
    IsDirectory { path: PathBuf },
    #[error("{path}: file is empty")]
    Empty { path: PathBuf },
    #[error("{path}: {reason}")]
    Unsupported { path: PathBuf, reason: String },
    #[error("{path}: not valid text: {reason}")]
    Encoding { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{path}: no text layer (scanned image PDF?); run OCR first and extract the OCR text")]
    NeedsOcr { path: PathBuf },
    #[error("{path}: too large: {size} bytes (limit {limit})")]
    TooLarge { path: PathBuf, size: u64, limit: u64 },
    #[error("{file}:{line}: bad rule: {reason}")]
    Rules {
        file: String,
        line: usize,
        reason: String,
    },
}

impl Error {
    /// Process exit code for the CLI: documented in the README.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Io { .. } | Error::IsDirectory { .. } => 3,
            Error::Empty { .. }
            | Error::Unsupported { .. }
            | Error::Encoding { .. }
            | Error::Corrupt { .. }
            | Error::NeedsOcr { .. }
            | Error::TooLarge { .. } => 4,
            Error::Rules { .. } => 5,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
