//! Low-fragmentation heap (NT heap front end) blocks inside internal back-end blocks.
//!
//! Each LFH subsegment's user area ("UserBlocks") is a busy internal back-end block whose data
//! starts with a `_HEAP_USERDATA_HEADER` (signature 0xF0E0D0C0) pointing at its
//! `_HEAP_SUBSEGMENT` (block size and count). On Windows 8+ the first-block offset and stride are
//! XOR-encoded with the UserBlocks address, the `_LFH_HEAP` address and the process-wide
//! `RtlpLFHKey`; the key is recovered without symbols from the known plaintext (the stride is
//! the subsegment's block size, the first offset follows the busy bitmap) and accepted only when
//! the carriers agree on it. Busy blocks are those set in the busy bitmap (Windows 8+) or, on
//! Windows 7, those whose `UnusedBytes` has bit 0x80.

use std::collections::HashMap;

use crate::layout::PointerWidth;
use crate::memory::ReadMemory;
use crate::{Entry, EntryFlags, EntryState, Finding, FindingKind, Heap};

/// `_HEAP_USERDATA_HEADER.Signature`.
pub const USERDATA_SIGNATURE: u32 = 0xF0E0_D0C0;

/// One LFH subsegment found through its carrier block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Carrier {
    user_blocks: u64,
    end: u64,
    subsegment: u64,
    stride: u64,
    count: u64,
    encoded: Option<u32>,
}

/// First-block offset expected on Windows 8+: header, then the busy bitmap (in pointer-sized
/// words), rounded up to the granularity.
pub(crate) fn first_offset(bitmap_data: u64, count: u64, width: PointerWidth) -> u64 {
    let bits = width.bytes().saturating_mul(8);
    let words = count.div_ceil(bits.max(1));
    let end = bitmap_data.saturating_add(words.saturating_mul(width.bytes()));
    let g = width.granularity();
    end.div_ceil(g).saturating_mul(g)
}

/// The LFH blocks of a heap, with the recovered key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LfhBlocks {
    /// The blocks, in carrier then address order (`Entry::front_end` is true).
    pub blocks: Vec<Entry>,
    /// The low 32 bits of `RtlpLFHKey` recovered from the carriers (Windows 8+).
    pub key: Option<u32>,
    /// Carriers decoded.
    pub subsegments: usize,
}

impl Heap {
    /// Enumerate the LFH blocks inside the given internal back-end blocks (the carriers; other
    /// blocks are ignored). Only meaningful when the LFH front end is on.
    pub fn lfh_blocks<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
        carriers: &[Entry],
    ) -> (LfhBlocks, Vec<Finding>) {
        let mut blocks = Vec::new();
        let (key, subsegments, findings) =
            self.lfh_visit(mem, carriers, &mut |e: &Entry| blocks.push(*e));
        let out = LfhBlocks {
            blocks,
            key,
            subsegments,
        };
        (out, findings)
    }

    /// [`Heap::lfh_blocks`] handing each block to `f` instead of keeping it: returns the key,
    /// the subsegments decoded and the findings.
    pub(crate) fn lfh_visit<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
        carriers: &[Entry],
        f: &mut dyn FnMut(&Entry),
    ) -> (Option<u32>, usize, Vec<Finding>) {
        let l = &self.layout;
        let w = l.width;
        let gran = w.granularity();
        let mut findings = Vec::new();
        let mut found = Vec::new();
        for e in carriers.iter().filter(|e| e.state == EntryState::Internal) {
            let ub = e.user_address;
            let Some(sig_at) = ub.checked_add(l.userdata_signature) else {
                continue;
            };
            match mem.read_u32(sig_at) {
                Ok(USERDATA_SIGNATURE) => {}
                Ok(_) => continue,
                Err(err) => {
                    findings.push(Finding::from_memory(err));
                    continue;
                }
            }
            let ss = match mem.read_ptr(ub, w) {
                Ok(v) => v,
                Err(err) => {
                    findings.push(Finding::from_memory(err));
                    continue;
                }
            };
            let read_ss = |off: u64| -> Result<u64, crate::MemoryError> {
                mem.read_u16(ss.saturating_add(off)).map(u64::from)
            };
            let back = mem.read_ptr(ss.saturating_add(l.subsegment_user_blocks), w);
            let (bs, count) = match (
                back,
                read_ss(l.subsegment_block_size),
                read_ss(l.subsegment_block_count),
            ) {
                (Ok(b), Ok(bs), Ok(c)) if b == ub => (bs, c),
                (Ok(_), Ok(_), Ok(_)) => {
                    findings.push(Finding {
                        address: ss,
                        kind: FindingKind::BadLfhSubsegment {
                            reason: "UserBlocks does not point back at the carrier",
                        },
                    });
                    continue;
                }
                (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => {
                    findings.push(Finding::from_memory(err));
                    continue;
                }
            };
            let stride = bs.saturating_mul(gran);
            if stride == 0 || count == 0 {
                findings.push(Finding {
                    address: ss,
                    kind: FindingKind::BadLfhSubsegment {
                        reason: "zero block size or count",
                    },
                });
                continue;
            }
            let encoded = match l.userdata_encoded_offsets {
                Some(off) => match mem.read_u32(ub.saturating_add(off)) {
                    Ok(v) => Some(v),
                    Err(err) => {
                        findings.push(Finding::from_memory(err));
                        continue;
                    }
                },
                None => None,
            };
            found.push(Carrier {
                user_blocks: ub,
                end: e.end(),
                subsegment: ss,
                stride,
                count,
                encoded,
            });
        }

        // Recover the key by vote (Windows 8+).
        let lfh32 = u32::try_from(self.front_end_heap & 0xffff_ffff).unwrap_or(0);
        let plain_of = |c: &Carrier| -> u32 {
            let fo = first_offset(l.userdata_bitmap_data, c.count, w);
            let fo = u32::try_from(fo & 0xffff).unwrap_or(0);
            let st = u32::try_from(c.stride & 0xffff).unwrap_or(0);
            fo | (st << 16)
        };
        let ub32 = |c: &Carrier| u32::try_from(c.user_blocks & 0xffff_ffff).unwrap_or(0);
        let mut votes: HashMap<u32, usize> = HashMap::new();
        for c in &found {
            if let Some(enc) = c.encoded {
                let k = enc ^ ub32(c) ^ lfh32 ^ plain_of(c);
                let n = votes.entry(k).or_insert(0);
                *n = n.saturating_add(1);
            }
        }
        let key = votes
            .iter()
            .max_by_key(|(k, n)| (**n, **k))
            .map(|(k, _)| *k);

        let mut subsegments = 0usize;
        let mut emitted = 0usize;
        let cap = self.limits().max_entries_per_segment;
        for c in &found {
            let (fo, stride) = match (c.encoded, key) {
                (Some(enc), Some(k)) => {
                    let plain = enc ^ ub32(c) ^ lfh32 ^ k;
                    (u64::from(plain & 0xffff), u64::from(plain >> 16))
                }
                (Some(_), None) => continue,
                (None, _) => (l.userdata_bitmap_data, c.stride),
            };
            let fits = c
                .count
                .checked_mul(stride)
                .and_then(|n| n.checked_add(fo))
                .and_then(|n| c.user_blocks.checked_add(n))
                .is_some_and(|end| end <= c.end.saturating_add(w.header_offset()));
            if stride != c.stride || fo < l.userdata_bitmap_data || !fits {
                findings.push(Finding {
                    address: c.subsegment,
                    kind: FindingKind::LfhNotDecoded,
                });
                continue;
            }
            // Busy bitmap (Windows 8+): one bit per block.
            let bitmap = match l.userdata_busy_bitmap {
                Some(_) => {
                    let n = usize::try_from(c.count.div_ceil(8)).unwrap_or(0);
                    let mut b = vec![0u8; n];
                    match mem.read(c.user_blocks.saturating_add(l.userdata_bitmap_data), &mut b) {
                        Ok(()) => Some(b),
                        Err(err) => {
                            findings.push(Finding::from_memory(err));
                            continue;
                        }
                    }
                }
                None => None,
            };
            subsegments = subsegments.saturating_add(1);
            for i in 0..c.count {
                if emitted >= cap {
                    findings.push(Finding {
                        address: c.subsegment,
                        kind: FindingKind::LimitReached { what: "LFH blocks" },
                    });
                    return (key, subsegments, findings);
                }
                let Some(addr) = i
                    .checked_mul(stride)
                    .and_then(|o| o.checked_add(fo))
                    .and_then(|o| c.user_blocks.checked_add(o))
                else {
                    break;
                };
                let mut h = [0u8; 8];
                let header_ok = mem
                    .read(addr.saturating_add(w.header_offset()), &mut h)
                    .is_ok();
                let unused = h[7];
                let busy = match &bitmap {
                    Some(b) => {
                        let byte = usize::try_from(i / 8).ok().and_then(|j| b.get(j)).copied();
                        byte.is_some_and(|v| v & (1u8 << (i % 8)) != 0)
                    }
                    None => header_ok && unused & 0x80 != 0,
                };
                let requested = if busy && header_ok && unused & 0x80 != 0 {
                    stride.checked_sub(u64::from(unused & 0x7f))
                } else {
                    None
                };
                emitted = emitted.saturating_add(1);
                f(&Entry {
                    address: addr,
                    user_address: addr.saturating_add(gran),
                    size: stride,
                    previous_size: 0,
                    flags: if busy {
                        EntryFlags::BUSY
                    } else {
                        EntryFlags::empty()
                    },
                    unused_bytes: unused,
                    requested_size: requested,
                    state: if busy {
                        EntryState::Busy
                    } else {
                        EntryState::Free
                    },
                    front_end: true,
                });
            }
        }
        (key, subsegments, findings)
    }
}
