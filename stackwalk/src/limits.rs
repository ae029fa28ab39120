//! Bounds on the work one walk may do over untrusted memory.
//!
//! Shape shared by every library crate of the workspace: `Copy`, `#[non_exhaustive]`, a
//! [`Default`] for real dumps, [`Limits::fuzzing`] for fuzzers, `with_*` setters, and held by the
//! entry object, the [`Walker`](crate::Walker) (no per-call limit arguments).

/// Caps that keep every walk bounded. The defaults are safe for untrusted dumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum number of frames in one stack (default 256, WinDbg's default depth).
    pub max_frames: usize,
    /// Maximum number of chained UNWIND_INFO links followed for one function (default 32).
    pub max_unwind_chain: u32,
    /// Words scanned for a return address after a scanned or frame-pointer frame (default 40).
    pub scan_words: usize,
    /// Words scanned after a frame from the context or unwind info (default 160).
    pub scan_words_trusted: usize,
    /// Times one walk may move to another stack through a machine or trap frame, where the
    /// stack pointer may go down (kernel to user stack, DPC or ISR stack to thread stack;
    /// default 8). Everywhere else the stack pointer must go up.
    pub max_stack_switches: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frames: 256,
            max_unwind_chain: 32,
            scan_words: 40,
            scan_words_trusted: 160,
            max_stack_switches: 8,
        }
    }
}

impl Limits {
    /// Small limits for fuzzing: every walk stops early, so one input costs little.
    pub const fn fuzzing() -> Self {
        Limits {
            max_frames: 64,
            max_unwind_chain: 32,
            scan_words: 16,
            scan_words_trusted: 32,
            max_stack_switches: 4,
        }
    }

    /// Set [`Limits::max_frames`].
    #[must_use]
    pub const fn with_max_frames(mut self, n: usize) -> Self {
        self.max_frames = n;
        self
    }

    /// Set [`Limits::max_unwind_chain`].
    #[must_use]
    pub const fn with_max_unwind_chain(mut self, n: u32) -> Self {
        self.max_unwind_chain = n;
        self
    }

    /// Set [`Limits::scan_words`] (0 disables scanning after untrusted frames).
    #[must_use]
    pub const fn with_scan_words(mut self, n: usize) -> Self {
        self.scan_words = n;
        self
    }

    /// Set [`Limits::max_stack_switches`].
    #[must_use]
    pub const fn with_max_stack_switches(mut self, n: u32) -> Self {
        self.max_stack_switches = n;
        self
    }

    /// Set [`Limits::scan_words_trusted`] (0 disables scanning after trusted frames).
    #[must_use]
    pub const fn with_scan_words_trusted(mut self, n: usize) -> Self {
        self.scan_words_trusted = n;
        self
    }
}
