//! The crate's error type.

/// Everything that can go wrong reading a minidump.
///
/// "Memory not in the dump" ([`Error::NotCaptured`]) is a different variant from corrupt data;
/// test it with [`Error::is_not_captured`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or mapping the file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The file ends before a structure that must be there.
    #[error("truncated: {needed} bytes needed at offset {offset:#x}, {available} available")]
    Truncated {
        /// File offset of the structure.
        offset: u64,
        /// Bytes needed.
        needed: u64,
        /// Bytes present from `offset`.
        available: u64,
    },
    /// The file does not start with `MDMP`.
    #[error("not a minidump: signature {found:#010x} (expected 'MDMP')")]
    BadSignature {
        /// The first four bytes, little-endian.
        found: u32,
    },
    /// The file is a Windows kernel crash dump, not a user-mode minidump.
    #[error(
        "this is a kernel dump ({signature}), not a user-mode minidump; kernel dumps are not supported by this reader"
    )]
    KernelDump {
        /// `PAGEDUMP` (32-bit) or `PAGEDU64` (64-bit).
        signature: &'static str,
    },
    /// The header's version word is not 0xa793.
    #[error("unsupported minidump version {version:#010x}")]
    BadVersion {
        /// The `Version` field.
        version: u32,
    },
    /// More streams than [`Limits::max_streams`](crate::Limits::max_streams).
    #[error("{count} streams exceed the limit of {limit}")]
    TooManyStreams {
        /// Streams declared.
        count: u32,
        /// The limit.
        limit: u32,
    },
    /// A count in a stream that cannot fit in the bytes present, or exceeds a limit.
    #[error("stream {stream_type}: count {count} does not fit the stream or exceeds a limit")]
    CountTooLarge {
        /// Stream type.
        stream_type: u32,
        /// Count declared.
        count: u64,
    },
    /// An RVA/size pair pointing outside the file.
    #[error("RVA {rva:#x} + {size:#x} lies outside the file")]
    InvalidRva {
        /// File offset.
        rva: u64,
        /// Size.
        size: u64,
    },
    /// A `MINIDUMP_STRING` that is malformed (odd length, too long, outside the file).
    #[error("invalid string at RVA {rva:#x}")]
    InvalidString {
        /// File offset of the string.
        rva: u64,
    },
    /// A stream that the operation needs is absent.
    #[error("stream {stream_type} is missing")]
    MissingStream {
        /// Stream type.
        stream_type: u32,
    },
    /// A stream whose contents are inconsistent.
    #[error("stream {stream_type} at RVA {rva:#x} is malformed: {reason}")]
    BadStream {
        /// Stream type.
        stream_type: u32,
        /// File offset of the stream (or of the bad record in it).
        rva: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// The memory at this address is not in the dump.
    #[error("memory at {address:#x} (+{len:#x}) is not captured in the dump")]
    NotCaptured {
        /// First missing address.
        address: u64,
        /// Bytes missing from there.
        len: u64,
    },
    /// `address + len` overflows the 64-bit address space.
    #[error("address range {address:#x} + {len:#x} overflows")]
    AddressOverflow {
        /// Start address.
        address: u64,
        /// Length.
        len: u64,
    },
    /// A zero-copy slice was asked for a range that spans several captured regions; use
    /// [`MemoryView::read`](crate::MemoryView::read) to copy it.
    #[error("memory at {address:#x} (+{len:#x}) spans several captured regions")]
    SpansRegions {
        /// Start address.
        address: u64,
        /// Length.
        len: u64,
    },
    /// A thread context whose size does not match the dump's architecture.
    #[error("context at RVA {rva:#x} has {size} bytes, too small for {arch}")]
    BadContext {
        /// File offset.
        rva: u64,
        /// Size.
        size: u64,
        /// Architecture expected.
        arch: &'static str,
    },
    /// The dump's architecture has no context support here.
    #[error("unsupported processor architecture {0:#x}")]
    UnsupportedArch(u16),
    /// The 32-bit context of a WOW64 thread cannot be read (its TEB CPU area is not in the dump).
    #[error(
        "WOW64 context of thread {thread_id:#x} is not recoverable: memory at {address:#x} is not in the dump"
    )]
    Wow64ContextNotRecoverable {
        /// Thread id.
        thread_id: u32,
        /// The address that is missing.
        address: u64,
    },
    /// The thread is not a WOW64 thread (not an x64 dump, or its TLS slot is empty).
    #[error("thread {thread_id:#x} has no WOW64 context")]
    NotWow64 {
        /// Thread id.
        thread_id: u32,
    },
    /// A structure read from process memory is inconsistent (e.g. a NULL list link).
    #[error("corrupt data at {address:#x}: {reason}")]
    Corrupt {
        /// Address of the bad field.
        address: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// One call would copy more bytes out of the dump than [`Limits::max_copy_bytes`](crate::Limits::max_copy_bytes) allows
    /// (hostile dumps can point many records at the same large string).
    #[error("{what}: more than the limit of {limit} bytes")]
    LimitExceeded {
        /// What was being read.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// A list walk exceeded [`Limits::max_list_steps`](crate::Limits::max_list_steps).
    #[error("list at {head:#x} is longer than the limit of {limit} entries")]
    ListTooLong {
        /// The list head.
        head: u64,
        /// The limit.
        limit: u32,
    },
    /// A list walk came back to an element it had already seen (not the head).
    #[error("list cycle at {at:#x}")]
    ListCycle {
        /// The repeated element.
        at: u64,
    },
}

impl Error {
    /// True if the error means "this memory is not in the dump" rather than corrupt data.
    pub fn is_not_captured(&self) -> bool {
        matches!(
            self,
            Error::NotCaptured { .. } | Error::Wow64ContextNotRecoverable { .. }
        )
    }

    /// A short stable name for logs and JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Error::Io(_) => "io",
            Error::Truncated { .. } => "truncated",
            Error::BadSignature { .. } => "bad_signature",
            Error::KernelDump { .. } => "kernel_dump",
            Error::BadVersion { .. } => "bad_version",
            Error::TooManyStreams { .. } => "too_many_streams",
            Error::CountTooLarge { .. } => "count_too_large",
            Error::InvalidRva { .. } => "invalid_rva",
            Error::InvalidString { .. } => "invalid_string",
            Error::MissingStream { .. } => "missing_stream",
            Error::BadStream { .. } => "bad_stream",
            Error::NotCaptured { .. } => "not_captured",
            Error::AddressOverflow { .. } => "address_overflow",
            Error::SpansRegions { .. } => "spans_regions",
            Error::BadContext { .. } => "bad_context",
            Error::UnsupportedArch(_) => "unsupported_arch",
            Error::Wow64ContextNotRecoverable { .. } => "wow64_context_not_recoverable",
            Error::NotWow64 { .. } => "not_wow64",
            Error::Corrupt { .. } => "corrupt",
            Error::LimitExceeded { .. } => "limit_exceeded",
            Error::ListTooLong { .. } => "list_too_long",
            Error::ListCycle { .. } => "list_cycle",
        }
    }
}
