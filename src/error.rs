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
    #[error("{path}: encrypted PDF that needs a password; save an unencrypted copy")]
    Encrypted { path: PathBuf },
    /// A time or memory bound was hit (parser runaway, decompression bomb).
    #[error("{path}: {reason}")]
    Limit { path: PathBuf, reason: String },
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
    ///
    /// | code | meaning |
    /// |---|---|
    /// | 2 | bad command line (clap) |
    /// | 3 | cannot read the input: missing, unreadable, a directory |
    /// | 4 | input is not a usable plan: empty, binary, unknown encoding, corrupt or encrypted PDF, unsupported format |
    /// | 5 | bad rule file |
    /// | 6 | PDF without a text layer: needs OCR |
    /// | 7 | a resource limit was hit: input too large, parser timeout, decompression bomb |
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Io { .. } | Error::IsDirectory { .. } => 3,
            Error::Empty { .. }
            | Error::Unsupported { .. }
            | Error::Encoding { .. }
            | Error::Corrupt { .. }
            | Error::Encrypted { .. } => 4,
            Error::Rules { .. } => 5,
            Error::NeedsOcr { .. } => 6,
            Error::TooLarge { .. } | Error::Limit { .. } => 7,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
