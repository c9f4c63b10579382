//! Turning LMDB failures into core errors, keeping "map full" apart so a commit can
//! grow the map and try again.

use heed::MdbError;

use crate::CoreError;

/// A failure inside a transaction.
#[derive(Debug)]
pub enum Failure {
    /// The memory map has no room left; the transaction was (or must be) aborted.
    MapFull,
    /// Another process grew the map; adopt its size and start again.
    MapResized,
    Core(CoreError),
}

impl Failure {
    /// The error to report when no retry is possible.
    pub fn into_core(self) -> CoreError {
        match self {
            Failure::MapFull => CoreError::StorageFull("the LMDB map is full".into()),
            Failure::MapResized => {
                CoreError::Storage("the LMDB map was resized by another process".into())
            }
            Failure::Core(err) => err,
        }
    }
}

impl From<CoreError> for Failure {
    fn from(err: CoreError) -> Self {
        Failure::Core(err)
    }
}

impl From<heed::Error> for Failure {
    fn from(err: heed::Error) -> Self {
        from_heed(err)
    }
}

/// Classify a heed error.
pub fn from_heed(err: heed::Error) -> Failure {
    match err {
        heed::Error::Mdb(MdbError::MapFull) => Failure::MapFull,
        heed::Error::Mdb(MdbError::MapResized) => Failure::MapResized,
        heed::Error::Mdb(MdbError::TxnFull) => Failure::Core(CoreError::Storage(
            "one commit touches more pages than an LMDB transaction can hold; split it".into(),
        )),
        heed::Error::Mdb(MdbError::ReadersFull) => Failure::Core(CoreError::Storage(
            "all LMDB reader slots are taken; raise max_readers".into(),
        )),
        heed::Error::Io(io) if is_disk_full(&io) => {
            Failure::Core(CoreError::StorageFull(format!("the disk is full: {io}")))
        }
        heed::Error::EnvAlreadyOpened => Failure::Core(CoreError::Storage(
            "this data directory is already open in this process; close the other Store first"
                .into(),
        )),
        other => Failure::Core(CoreError::Storage(format!("LMDB: {other}"))),
    }
}

/// ENOSPC or EDQUOT.
fn is_disk_full(err: &std::io::Error) -> bool {
    matches!(err.raw_os_error(), Some(28) | Some(122))
}

/// Shorthand for `from_heed(err).into_core()`, for paths that never retry.
pub fn heed_core(err: heed::Error) -> CoreError {
    from_heed(err).into_core()
}
