//! `_POOL_HEADER`: the header before every small pool block (classic pool, and LFH/VS blocks
//! of the segment-heap pool).
//!
//! x86: 8 bytes, `PreviousSize:9 PoolIndex:7 | BlockSize:9 PoolType:7`, tag at 4, units of 8
//! bytes. x64: 16 bytes, one byte each for PreviousSize/PoolIndex/BlockSize/PoolType, tag at 4,
//! `ProcessBilled` at 8, units of 16 bytes.

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// Where the fields of `_POOL_HEADER` are for one build.
    pub struct PoolHeaderLayout = "_POOL_HEADER" {
        /// `PreviousSize` (bitfield).
        previous_size: "PreviousSize",
        /// `PoolIndex` (bitfield).
        pool_index: "PoolIndex",
        /// `BlockSize` (bitfield).
        block_size: "BlockSize",
        /// `PoolType` (bitfield).
        pool_type: "PoolType",
        /// `PoolTag`.
        pool_tag: "PoolTag",
        /// `ProcessBilled` (x64; XP x86 overlays the tag).
        process_billed: "ProcessBilled",
    }
}

impl PoolHeaderLayout {
    /// The layout for a build.
    pub fn for_build(b: KernelBuild) -> PoolHeaderLayout {
        match b.arch {
            Arch::X86 => PoolHeaderLayout {
                size: 8,
                previous_size: f(0, 2),
                pool_index: f(0, 2),
                block_size: f(2, 2),
                pool_type: f(2, 2),
                pool_tag: f(4, 4),
                process_billed: if b.build < 3790 { f(4, 4) } else { None },
            },
            // Windows 7 x64's PDB describes the first four as bits of one ULONG at 0.
            Arch::X64 if b.build <= 7601 => PoolHeaderLayout {
                size: 16,
                previous_size: f(0, 4),
                pool_index: f(0, 4),
                block_size: f(0, 4),
                pool_type: f(0, 4),
                pool_tag: f(4, 4),
                process_billed: f(8, 8),
            },
            Arch::X64 => PoolHeaderLayout {
                size: 16,
                previous_size: f(0, 2),
                pool_index: f(0, 2),
                block_size: f(2, 2),
                pool_type: f(2, 2),
                pool_tag: f(4, 4),
                process_billed: f(8, 8),
            },
        }
    }
}

/// The bytes per `BlockSize`/`PreviousSize` unit: 8 on x86, 16 on x64.
pub const fn pool_unit(arch: Arch) -> u64 {
    match arch {
        Arch::X86 => 8,
        Arch::X64 => 16,
    }
}

/// A decoded `_POOL_HEADER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolHeader {
    /// Previous block's size in units.
    pub previous_size: u16,
    /// Pool index.
    pub pool_index: u8,
    /// This block's size in units (header included).
    pub block_size: u16,
    /// Raw pool type (0: free; Vista+: `POOL_TYPE + 1`-style, bit 0 of the type = paged).
    pub pool_type: u8,
    /// The tag as stored (bit 31 may be the protected bit before Windows 8).
    pub tag: u32,
}

impl PoolHeader {
    /// Decode from the header bytes (8 on x86, 16 on x64; at least 8 needed).
    pub fn decode(arch: Arch, bytes: &[u8]) -> Option<PoolHeader> {
        let b: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
        let w0 = u16::from_le_bytes([b[0], b[1]]);
        let w1 = u16::from_le_bytes([b[2], b[3]]);
        let tag = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        Some(match arch {
            Arch::X86 => PoolHeader {
                previous_size: w0 & 0x1ff,
                pool_index: (w0 >> 9) as u8,
                block_size: w1 & 0x1ff,
                pool_type: (w1 >> 9) as u8,
                tag,
            },
            Arch::X64 => PoolHeader {
                previous_size: u16::from(b[0]),
                pool_index: b[1],
                block_size: u16::from(b[2]),
                pool_type: b[3],
                tag,
            },
        })
    }
    /// Encode (the inverse of [`PoolHeader::decode`]); 8 bytes on x86, 16 on x64 (the rest 0).
    pub fn encode(&self, arch: Arch) -> Vec<u8> {
        let mut v = Vec::with_capacity(16);
        match arch {
            Arch::X86 => {
                let w0 = (self.previous_size & 0x1ff) | (u16::from(self.pool_index & 0x7f) << 9);
                let w1 = (self.block_size & 0x1ff) | (u16::from(self.pool_type & 0x7f) << 9);
                v.extend_from_slice(&w0.to_le_bytes());
                v.extend_from_slice(&w1.to_le_bytes());
                v.extend_from_slice(&self.tag.to_le_bytes());
            }
            Arch::X64 => {
                v.push(self.previous_size.to_le_bytes()[0]);
                v.push(self.pool_index);
                v.push(self.block_size.to_le_bytes()[0]);
                v.push(self.pool_type);
                v.extend_from_slice(&self.tag.to_le_bytes());
                v.extend_from_slice(&[0; 8]);
            }
        }
        v
    }
    /// Whether the block is free (pool type 0).
    pub fn is_free(&self) -> bool {
        self.pool_type == 0
    }
}
