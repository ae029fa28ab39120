//! `!poolused`: per-tag counters summed over the tracker tables (`PoolTrackTable`, the
//! per-processor `ExPoolTagTables[]`, the expansion table), or the session pool's table.

use std::collections::BTreeSet;

use crate::error::Error;
use crate::memory::{PointerWidth, ReadMemory};

use super::context::Pool;
use super::tag::PoolTag;
use super::tracker_sum::sum_tables;

/// Allocation counters of one tag in one kind of pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TagCounts {
    /// Allocations made.
    pub allocs: u64,
    /// Frees made.
    pub frees: u64,
    /// Bytes in use.
    pub bytes: u64,
}

impl TagCounts {
    /// Outstanding allocations (`Diff`: allocs − frees; what `!poolused` shows as `Allocs` in
    /// its short form). Negative only in an inconsistent table.
    pub fn diff(&self) -> i64 {
        let a = i64::try_from(self.allocs).unwrap_or(i64::MAX);
        let f = i64::try_from(self.frees).unwrap_or(i64::MAX);
        a.saturating_sub(f)
    }
    fn add(&mut self, o: &TagCounts) {
        self.allocs = self.allocs.saturating_add(o.allocs);
        self.frees = self.frees.saturating_add(o.frees);
        self.bytes = self.bytes.saturating_add(o.bytes);
    }
}

/// One tag's counters in non-paged and paged pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagUsage {
    /// The tag (protected bit cleared).
    pub tag: PoolTag,
    /// Non-paged pool counters.
    pub non_paged: TagCounts,
    /// Paged pool counters.
    pub paged: TagCounts,
}

/// One tracker table that was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackerTableRead {
    /// Its address.
    pub addr: u64,
    /// Entries read.
    pub entries: u64,
    /// Entries not in the dump.
    pub missing: u64,
}

/// What `!poolused` shows: every tag with counters, summed over the tables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolUsage {
    /// Tags, sorted by tag.
    pub tags: Vec<TagUsage>,
    /// The tables summed (each once).
    pub tables: Vec<TrackerTableRead>,
    /// Entries with a non-zero key whose characters are not printable: many of them mean the
    /// layout does not fit the dump.
    pub unprintable_keys: u64,
    /// Entries with a non-zero key.
    pub used_entries: u64,
}

/// Which kind of pool a sort or column concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolKind {
    /// Non-paged pool (incl. NonPagedPoolNx).
    NonPaged,
    /// Paged pool.
    Paged,
}

/// How `!poolused` sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolUsedSort {
    /// By tag (WinDbg's default).
    Tag,
    /// By bytes used, descending (flags 2 and 4).
    Bytes(PoolKind),
    /// By outstanding allocations, descending.
    Allocs(PoolKind),
}

/// `!poolused` flags: bit 0 verbose (Allocs, Frees, Diff, Used), bit 1 sort by non-paged
/// bytes, bit 2 sort by paged bytes, bit 3 session pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsedFlags {
    /// Show Frees and Diff too.
    pub verbose: bool,
    /// Sort order.
    pub sort: PoolUsedSort,
    /// Session pool instead of the system pool.
    pub session: bool,
}

impl PoolUsedFlags {
    /// From WinDbg's numeric flags.
    pub fn from_bits(bits: u32) -> Self {
        let sort = if bits & 2 != 0 {
            PoolUsedSort::Bytes(PoolKind::NonPaged)
        } else if bits & 4 != 0 {
            PoolUsedSort::Bytes(PoolKind::Paged)
        } else {
            PoolUsedSort::Tag
        };
        PoolUsedFlags {
            verbose: bits & 1 != 0,
            sort,
            session: bits & 8 != 0,
        }
    }
}

impl PoolUsage {
    /// The tags matching `pattern` (`Thre`, `Th*`, `?hre`; see [`PoolTag::matches`]).
    pub fn filter(&self, pattern: &str) -> Vec<TagUsage> {
        self.tags
            .iter()
            .filter(|t| t.tag.matches(pattern))
            .copied()
            .collect()
    }
    /// The tags in `sort` order (ties by tag).
    pub fn sorted(&self, sort: PoolUsedSort) -> Vec<TagUsage> {
        let mut v = self.tags.clone();
        let pick = |t: &TagUsage, k: PoolKind| match k {
            PoolKind::NonPaged => t.non_paged,
            PoolKind::Paged => t.paged,
        };
        match sort {
            PoolUsedSort::Tag => {}
            PoolUsedSort::Bytes(k) => v.sort_by(|a, b| {
                pick(b, k)
                    .bytes
                    .cmp(&pick(a, k).bytes)
                    .then(a.tag.cmp(&b.tag))
            }),
            PoolUsedSort::Allocs(k) => v.sort_by(|a, b| {
                pick(b, k)
                    .diff()
                    .cmp(&pick(a, k).diff())
                    .then(a.tag.cmp(&b.tag))
            }),
        }
        v
    }
    /// One tag's usage.
    pub fn get(&self, tag: PoolTag) -> Option<&TagUsage> {
        let t = tag.unprotected();
        self.tags
            .binary_search_by(|x| x.tag.cmp(&t))
            .ok()
            .and_then(|i| self.tags.get(i))
    }
    /// Whether the layout looks right: at least one used entry, and at most one in eight with
    /// an unprintable key.
    pub fn layout_confirmed(&self) -> bool {
        self.used_entries > 0 && self.unprintable_keys.saturating_mul(8) <= self.used_entries
    }
    /// Totals over all tags: (non-paged, paged).
    pub fn totals(&self) -> (TagCounts, TagCounts) {
        let mut np = TagCounts::default();
        let mut p = TagCounts::default();
        for t in &self.tags {
            np.add(&t.non_paged);
            p.add(&t.paged);
        }
        (np, p)
    }
}

impl<M: ReadMemory> Pool<M> {
    /// The addresses of the system tracker tables to sum, each once: `PoolTrackTable`, the
    /// non-null `ExPoolTagTables[i]` for `i < tag_tables_count`, and the expansion table.
    pub fn tracker_tables(&self) -> Vec<(u64, u64)> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let size = self.ctx.track_table_size;
        if self.ctx.track_table != 0 && seen.insert(self.ctx.track_table) {
            out.push((self.ctx.track_table, size));
        }
        let width = self.ctx.build.pointer_width();
        let max_slots: u32 = match width {
            PointerWidth::Bits32 => 32,
            PointerWidth::Bits64 => 64,
        };
        if self.ctx.tag_tables != 0 {
            for i in 0..self.ctx.tag_tables_count.min(max_slots) {
                let Some(slot) = u64::from(i)
                    .checked_mul(width.bytes())
                    .and_then(|o| self.ctx.tag_tables.checked_add(o))
                else {
                    break;
                };
                if let Ok(t) = self.mem.read_ptr(slot, width)
                    && t != 0
                    && seen.insert(t)
                {
                    out.push((t, size));
                }
            }
        }
        if self.ctx.expansion_table != 0
            && self.ctx.expansion_table_size != 0
            && seen.insert(self.ctx.expansion_table)
        {
            out.push((self.ctx.expansion_table, self.ctx.expansion_table_size));
        }
        out
    }

    /// `!poolused`: the counters of every tag, summed over the system tracker tables (or the
    /// session table when `session`).
    pub fn pool_usage(&self, session: bool) -> Result<PoolUsage, Error> {
        let tables = if session {
            if self.ctx.session_track_table == 0 {
                return Err(Error::Corrupt {
                    what: "session pool tracker table (not given)",
                    addr: 0,
                });
            }
            vec![(
                self.ctx.session_track_table,
                self.ctx.session_track_table_size,
            )]
        } else {
            if self.ctx.track_table == 0 {
                return Err(Error::Corrupt {
                    what: "PoolTrackTable (not given)",
                    addr: 0,
                });
            }
            if self.ctx.track_table_size == 0 {
                return Err(Error::Corrupt {
                    what: "PoolTrackTableSize (not given)",
                    addr: 0,
                });
            }
            self.tracker_tables()
        };
        // Each table's entries, capped by the budget in table order.
        let mut budget = self.limits.max_table_entries;
        let capped: Vec<(u64, u64)> = tables
            .iter()
            .map(|&(addr, count)| {
                let count = count.min(budget);
                budget = budget.saturating_sub(count);
                (addr, count)
            })
            .collect();
        let (sum, reads) = sum_tables(&self.mem, &self.tracker, &capped)?;
        let mut usage = PoolUsage {
            tables: reads,
            unprintable_keys: sum.unprintable,
            used_entries: sum.used,
            ..PoolUsage::default()
        };
        let rows = sum.into_rows();
        usage.tags = rows
            .into_iter()
            .map(|(key, [npa, npf, npb, pa, pf, pb])| TagUsage {
                tag: PoolTag(key),
                non_paged: TagCounts {
                    allocs: npa,
                    frees: npf,
                    bytes: npb,
                },
                paged: TagCounts {
                    allocs: pa,
                    frees: pf,
                    bytes: pb,
                },
            })
            .collect();
        Ok(usage)
    }
}
