//! Findings: corruption and missing memory met during a walk, which the walk steps over.

use crate::memory::MemoryError;

/// What a validation check found, at [`Finding::address`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FindingKind {
    /// The memory is not in the dump. Not corruption.
    NotCaptured {
        /// Bytes that could not be read.
        len: u64,
    },
    /// The memory source failed. Not corruption.
    ReadFailed {
        /// Bytes that could not be read.
        len: u64,
    },
    /// A walk cap from [`Limits`](crate::Limits) was hit. Not corruption.
    LimitReached {
        /// Which cap.
        what: &'static str,
    },
    /// Header checksum (`SmallTagIndex`) wrong after decoding.
    ChecksumMismatch {
        /// `size_lo ^ size_hi ^ flags`.
        expected: u8,
        /// The stored byte.
        found: u8,
    },
    /// `PreviousSize` does not match the previous block's size.
    PreviousSizeMismatch {
        /// Previous block's size, bytes.
        expected: u64,
        /// Stored previous size, bytes.
        found: u64,
    },
    /// A block of size zero.
    ZeroSize,
    /// A block runs past the end of its committed range or segment.
    CrossesSegmentEnd {
        /// End of the block.
        end: u64,
        /// The limit it crossed.
        limit: u64,
    },
    /// The segment header is inconsistent.
    BadSegment {
        /// What is wrong.
        reason: &'static str,
    },
    /// An uncommitted-range descriptor is inconsistent.
    BadUncommittedRange {
        /// What is wrong.
        reason: &'static str,
    },
    /// A null or misaligned list link.
    BadLink {
        /// The list head.
        head: u64,
        /// The link value.
        value: u64,
    },
    /// A node's `Blink` does not point back at the previous node.
    BadBackLink {
        /// Expected `Blink`.
        expected: u64,
        /// Found `Blink`.
        found: u64,
    },
    /// A list revisits a node without returning to its head.
    ListCycle {
        /// The list head.
        head: u64,
    },
    /// A block on the free list is not free.
    FreeListEntryBusy,
    /// A free-list node lies inside walked memory but is not a free block there.
    FreeListEntryNotInSegment {
        /// The walked block that contains the node's address.
        block: u64,
    },
    /// An LFH subsegment is inconsistent with its carrier block.
    BadLfhSubsegment {
        /// What is wrong.
        reason: &'static str,
    },
    /// An LFH subsegment's encoded offsets could not be decoded (key not recovered). Not
    /// corruption.
    LfhNotDecoded,
    /// `UnusedBytes` larger than the block.
    UnusedBytesTooLarge {
        /// Unused byte count.
        unused: u64,
        /// Block size.
        size: u64,
    },
    /// A full-page-heap root or block node (`_DPH_HEAP_ROOT`, `_DPH_HEAP_BLOCK`) is
    /// inconsistent.
    BadPageHeap {
        /// What is wrong.
        reason: &'static str,
    },
    /// A key recovered from the heap's data has rivals as likely (not corruption: the walk
    /// uses the first; giving the key removes the doubt).
    KeyAmbiguous {
        /// Which key (`"LfhKey"`).
        key: &'static str,
        /// How many other candidates.
        alternatives: usize,
    },
}

impl FindingKind {
    /// Whether this is heap corruption (as opposed to missing memory or a walk cap).
    pub fn is_corruption(&self) -> bool {
        !matches!(
            self,
            FindingKind::NotCaptured { .. }
                | FindingKind::ReadFailed { .. }
                | FindingKind::LimitReached { .. }
                | FindingKind::LfhNotDecoded
                | FindingKind::KeyAmbiguous { .. }
        )
    }
}

/// A validation result with the address it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Finding {
    /// Where.
    pub address: u64,
    /// What.
    pub kind: FindingKind,
}

impl Finding {
    /// A finding for a failed memory read (not corruption).
    pub fn from_memory(e: MemoryError) -> Finding {
        Finding::from_mem(e)
    }
    pub(crate) fn from_mem(e: MemoryError) -> Finding {
        match e {
            MemoryError::NotCaptured { addr, len } => Finding {
                address: addr,
                kind: FindingKind::NotCaptured { len },
            },
            MemoryError::Failed { addr, len } => Finding {
                address: addr,
                kind: FindingKind::ReadFailed { len },
            },
        }
    }
    /// Whether this is heap corruption.
    pub fn is_corruption(&self) -> bool {
        self.kind.is_corruption()
    }
}

impl core::fmt::Display for Finding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let a = self.address;
        match self.kind {
            FindingKind::NotCaptured { len } => {
                write!(f, "{a:#x}: {len:#x} bytes not in the dump")
            }
            FindingKind::ReadFailed { len } => write!(f, "{a:#x}: read of {len:#x} bytes failed"),
            FindingKind::LimitReached { what } => write!(f, "{a:#x}: walk limit reached ({what})"),
            FindingKind::ChecksumMismatch { expected, found } => write!(
                f,
                "{a:#x}: header checksum mismatch (expected {expected:#04x}, found {found:#04x})"
            ),
            FindingKind::PreviousSizeMismatch { expected, found } => write!(
                f,
                "{a:#x}: previous size {found:#x} does not match previous block size {expected:#x}"
            ),
            FindingKind::ZeroSize => write!(f, "{a:#x}: block of size 0"),
            FindingKind::CrossesSegmentEnd { end, limit } => write!(
                f,
                "{a:#x}: block ends at {end:#x}, past the committed range end {limit:#x}"
            ),
            FindingKind::BadSegment { reason } => write!(f, "{a:#x}: bad segment: {reason}"),
            FindingKind::BadUncommittedRange { reason } => {
                write!(f, "{a:#x}: bad uncommitted range: {reason}")
            }
            FindingKind::BadLink { head, value } => {
                write!(f, "{a:#x}: bad link {value:#x} in list at {head:#x}")
            }
            FindingKind::BadBackLink { expected, found } => {
                write!(f, "{a:#x}: Blink is {found:#x}, expected {expected:#x}")
            }
            FindingKind::ListCycle { head } => write!(f, "{a:#x}: cycle in list at {head:#x}"),
            FindingKind::FreeListEntryBusy => write!(f, "{a:#x}: busy block on the free list"),
            FindingKind::FreeListEntryNotInSegment { block } => write!(
                f,
                "{a:#x}: free-list node is not a free block of the segment (inside block {block:#x})"
            ),
            FindingKind::BadLfhSubsegment { reason } => {
                write!(f, "{a:#x}: bad LFH subsegment: {reason}")
            }
            FindingKind::LfhNotDecoded => {
                write!(f, "{a:#x}: LFH subsegment offsets could not be decoded")
            }
            FindingKind::UnusedBytesTooLarge { unused, size } => write!(
                f,
                "{a:#x}: unused bytes {unused:#x} larger than the block ({size:#x})"
            ),
            FindingKind::BadPageHeap { reason } => write!(f, "{a:#x}: bad page heap: {reason}"),
            FindingKind::KeyAmbiguous { key, alternatives } => write!(
                f,
                "{a:#x}: {key} recovered from the data is ambiguous ({alternatives} other candidates as likely); give it to be sure"
            ),
        }
    }
}
