//! Typed errors: bad generator arguments ([`TaskError`]) and bad dataset files
//! ([`DatasetError`]), each naming the offending value, file, line and field.

use std::path::PathBuf;

/// A generator could not be chosen or configured.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TaskError {
    /// No generator has this name.
    #[error("unknown task {name:?} (known: {known})")]
    UnknownTask {
        /// The name asked for.
        name: String,
        /// The registered names, comma-separated.
        known: String,
    },
    /// The difficulty is outside `1..=5`.
    #[error("difficulty {level} is outside 1..=5")]
    Difficulty {
        /// The level asked for.
        level: u8,
    },
}

/// A dataset could not be written or read. Every variant names the file; row errors name the
/// 1-based line and the field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line is not a JSON object.
    #[error("{}:{line}: not a JSON object: {msg}", path.display())]
    Json {
        /// The JSONL file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        msg: String,
    },
    /// A field is missing or has the wrong type or value.
    #[error("{}:{line}: field `{field}`: {why}", path.display())]
    Field {
        /// The JSONL file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The field's path in the row (`extra_info.gold`).
        field: String,
        /// What is wrong with it.
        why: String,
    },
    /// An image of a row could not be read or decoded.
    #[error("{}:{line}: image {}: {why}", path.display(), image.display())]
    Image {
        /// The JSONL file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The image file.
        image: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// An image could not be encoded as PNG.
    #[error("{}: encoding PNG: {why}", path.display())]
    Encode {
        /// The image file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// The writer was given a bad argument (an empty or path-like dataset name, a sample
    /// whose prompt placeholders do not match its images).
    #[error("{what}")]
    Invalid {
        /// What is wrong.
        what: String,
    },
}
