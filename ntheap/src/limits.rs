//! Bounds on the work one call may do over untrusted memory.
//!
//! Shape shared by every library crate of the workspace: `Copy`, `#[non_exhaustive]`, a
//! [`Default`] for real dumps, [`Limits::fuzzing`] for fuzzers, `with_*` setters, and held by the
//! entry object ([`Heap::with_limits`](crate::Heap::with_limits); no per-call limit arguments).

/// Caps on every heap walk; the defaults are generous for real heaps and bounded for hostile
/// input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Segments per heap (default 65,536: a 64-bit heap grows segment after segment, several
    /// hundred for a few gigabytes; the segments are kept, about 200 bytes each).
    pub max_segments: usize,
    /// Entries per segment (default 32 Mi).
    pub max_entries_per_segment: usize,
    /// Steps of any `LIST_ENTRY` walk: free list, large blocks, UCRs (default 4 Mi).
    pub max_list_steps: usize,
    /// Findings kept per heap; later ones are counted, not stored (default 10,000).
    pub max_findings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_segments: 1 << 16,
            max_entries_per_segment: 1 << 25,
            max_list_steps: 1 << 22,
            max_findings: 10_000,
        }
    }
}

impl Limits {
    /// Small limits for fuzzing: every walk stops early, so one input costs little.
    pub const fn fuzzing() -> Self {
        Limits {
            max_segments: 64,
            max_entries_per_segment: 1 << 16,
            max_list_steps: 1 << 12,
            max_findings: 256,
        }
    }
    /// Set [`Limits::max_segments`].
    #[must_use]
    pub const fn with_max_segments(mut self, n: usize) -> Self {
        self.max_segments = n;
        self
    }
    /// Set [`Limits::max_entries_per_segment`].
    #[must_use]
    pub const fn with_max_entries_per_segment(mut self, n: usize) -> Self {
        self.max_entries_per_segment = n;
        self
    }
    /// Set [`Limits::max_list_steps`].
    #[must_use]
    pub const fn with_max_list_steps(mut self, n: usize) -> Self {
        self.max_list_steps = n;
        self
    }
    /// Set [`Limits::max_findings`].
    #[must_use]
    pub const fn with_max_findings(mut self, n: usize) -> Self {
        self.max_findings = n;
        self
    }
}
