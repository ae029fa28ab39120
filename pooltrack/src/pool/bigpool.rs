//! Big pool: `PoolBigPageTable`, the allocations of a page or more (no `_POOL_HEADER`; their tag
//! is only here).

use crate::error::Error;
use crate::layout::Arch;
use crate::memory::ReadMemory;

use super::PoolTrackerBigPagesLayout;
use super::context::{Pool, field_u64, read_table};
use super::tag::PoolTag;

/// One allocation in the big page table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BigPoolEntry {
    /// Address of the table entry.
    pub entry_addr: u64,
    /// Address of the allocation.
    pub va: u64,
    /// Its tag (protected bit cleared).
    pub tag: PoolTag,
    /// Its size in bytes (XP/2003: pages × 4096).
    pub size: u64,
    /// The raw `POOL_TYPE`, when the build records it.
    pub pool_type: Option<u32>,
}

impl BigPoolEntry {
    /// Whether the allocation is paged pool (`POOL_TYPE` bit 0), when known.
    pub fn is_paged(&self) -> Option<bool> {
        self.pool_type.map(|t| t & 1 != 0)
    }
    /// Whether `addr` lies inside the allocation.
    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.va
            && addr
                .checked_sub(self.va)
                .is_some_and(|o| o < self.size.max(1))
    }
}

/// The big page table's allocations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BigPool {
    /// Allocations in table order.
    pub entries: Vec<BigPoolEntry>,
    /// Free slots seen.
    pub free_slots: u64,
    /// Slots not in the dump.
    pub missing: u64,
}

impl<M: ReadMemory> Pool<M> {
    /// Every allocation of `PoolBigPageTable` (free slots, `Va` bit 0 set or 0, are skipped).
    pub fn big_pool(&self) -> Result<BigPool, Error> {
        if self.ctx.big_page_table == 0 || self.ctx.big_page_table_size == 0 {
            return Err(Error::Corrupt {
                what: "PoolBigPageTable (not given)",
                addr: self.ctx.big_page_table,
            });
        }
        let l = self.big;
        let b = self.ctx.build;
        let ptr = u32::try_from(b.arch.pointer_size()).unwrap_or(8);
        let bitfield = PoolTrackerBigPagesLayout::pool_type_is_bitfield(b);
        let base = self.ctx.big_page_table;
        let esz = u64::from(l.size);
        let mut out = BigPool::default();
        let max_findings = self.limits.max_findings;
        out.missing = read_table(
            &self.mem,
            base,
            self.ctx.big_page_table_size,
            esz,
            self.limits.max_table_entries,
            |i, e| {
                let va = field_u64(e, l.va, ptr);
                let key = field_u64(e, l.key, 4);
                if va == 0 || va & 1 != 0 || key == 0 {
                    out.free_slots = out.free_slots.saturating_add(1);
                    return;
                }
                if u64::try_from(out.entries.len()).unwrap_or(u64::MAX) >= max_findings {
                    return;
                }
                let size = if l.number_of_bytes.is_some() {
                    field_u64(e, l.number_of_bytes, ptr)
                } else {
                    field_u64(e, l.number_of_pages, 4).saturating_mul(0x1000)
                };
                let pool_type = l.pool_type.map(|_| {
                    let raw = field_u64(e, l.pool_type, 4);
                    let v = if bitfield { (raw >> 8) & 0xfff } else { raw };
                    u32::try_from(v & 0xffff_ffff).unwrap_or(0)
                });
                out.entries.push(BigPoolEntry {
                    entry_addr: base.saturating_add(i.saturating_mul(esz)),
                    va: va & !0xfff_u64,
                    tag: PoolTag(u32::try_from(key & 0xffff_ffff).unwrap_or(0)).unprotected(),
                    size,
                    pool_type,
                });
            },
        )?;
        Ok(out)
    }

    /// The big-pool allocation containing `addr`, if any.
    pub fn big_pool_containing(&self, addr: u64) -> Result<Option<BigPoolEntry>, Error> {
        Ok(self
            .big_pool()?
            .entries
            .into_iter()
            .find(|e| e.contains(addr)))
    }

    /// The lowest address of kernel space for the build (x86 0x80000000, x64
    /// 0xFFFF800000000000).
    pub fn system_range_start(&self) -> u64 {
        match self.ctx.build.arch {
            Arch::X86 => 0x8000_0000,
            Arch::X64 => 0xFFFF_8000_0000_0000,
        }
    }
}
