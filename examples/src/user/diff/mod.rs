//! `dumpscope diff BEFORE AFTER`: what grew between two dumps of the same process — UMDH's
//! question, answered from dumps instead of live `+ust` snapshots.
//!
//! Growth is shown four ways: by region usage (`!address -summary`), by heap (`!heap -s`), by
//! requested size (`!heap -stat`), and by content signature: each busy block's first bytes as a
//! printf-like pattern of its text (`==> Allocated addr: 0x%x`), a UTF-16 text, or the module
//! its first pointer points into (a vtable), so blocks of different sizes that hold the same kind
//! of data are counted together.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::Location;
use crate::report::human_size;
use crate::target::UserDump;
use crate::user::leak::{self, Progress};

mod text;

/// Bytes read from the start of each block for its signature.
const SIGNATURE_BYTES: usize = 64;
/// Most blocks read per dump for signatures.
const MAX_SIGNATURE_BLOCKS: usize = 2_000_000;
/// Most distinct signatures kept per dump.
const MAX_SIGNATURES: usize = 100_000;
/// Rows shown per table in text output.
const TEXT_ROWS: usize = 10;

/// A value before and after.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Delta {
    /// Before.
    pub before: u64,
    /// After.
    pub after: u64,
    /// `after - before` (negative when it shrank).
    pub delta: i64,
}

impl Delta {
    fn new(before: u64, after: u64) -> Self {
        let delta = i128::from(after).saturating_sub(i128::from(before));
        Self {
            before,
            after,
            delta: i64::try_from(delta).unwrap_or(if delta < 0 { i64::MIN } else { i64::MAX }),
        }
    }
}

/// Growth of one region usage.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UsageGrowth {
    /// Usage name.
    pub name: String,
    /// Bytes.
    pub size: Delta,
    /// Regions.
    pub count: Delta,
}

/// Growth of one heap.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeapDelta {
    /// Heap address.
    pub address: u64,
    /// Segments.
    pub segments: Delta,
    /// Committed bytes.
    pub committed: Delta,
    /// Reserved bytes.
    pub reserved: Delta,
    /// Busy user blocks.
    pub busy_blocks: Delta,
    /// Large `VirtualAllocdBlocks` blocks.
    pub virtual_blocks: Delta,
}

/// Growth of one requested size in one heap.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SizeDelta {
    /// Heap address.
    pub heap: u64,
    /// Requested size.
    pub size: u64,
    /// Blocks.
    pub count: Delta,
    /// Bytes.
    pub total: Delta,
}

/// Growth of one content signature.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SignatureDelta {
    /// The signature (`text: ...`, `utf16: ...`, `pointer: module+rva`, `(no text)`).
    pub signature: String,
    /// Blocks.
    pub count: Delta,
    /// Requested bytes.
    pub bytes: Delta,
}

/// The whole diff.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Pointer size of the (later) dump.
    pub pointer_size: u64,
    /// Region usages, largest growth first.
    pub regions: Vec<UsageGrowth>,
    /// Heaps, largest committed growth first.
    pub heaps: Vec<HeapDelta>,
    /// Requested sizes, largest byte growth first.
    pub sizes: Vec<SizeDelta>,
    /// Content signatures, largest byte growth first.
    pub signatures: Vec<SignatureDelta>,
    /// When the two dumps are not of one process (image, process id, OS build, architecture),
    /// what differs, in one line: growth between unrelated processes means nothing.
    pub different_processes: Option<String>,
    /// Problems met (e.g. a dump without heap memory).
    pub notes: Vec<String>,
    /// One-paragraph answer.
    pub conclusion: String,
}

/// What says which process a dump is of.
#[derive(Debug, Default, PartialEq, Eq)]
struct Identity {
    image: Option<String>,
    pid: Option<u32>,
    build: Option<u32>,
    arch: Option<String>,
}

fn identity(u: &UserDump) -> Identity {
    let d = &u.dump;
    let system = d.system_info().ok().flatten();
    Identity {
        image: d.modules().ok().and_then(|m| {
            m.first().map(|m| {
                m.name
                    .rsplit(['\\', '/'])
                    .next()
                    .unwrap_or(&m.name)
                    .to_ascii_lowercase()
            })
        }),
        pid: d.misc_info().ok().flatten().and_then(|m| m.process_id),
        build: system.as_ref().map(|s| s.build),
        arch: system.map(|s| crate::user::info::arch_name(s.arch)),
    }
}

/// The line saying two dumps are of different processes, or `None` when nothing known differs.
fn different_processes(b: &Identity, a: &Identity) -> Option<String> {
    let mut diffs = Vec::new();
    let mut cmp = |what: &str, x: Option<String>, y: Option<String>| {
        if let (Some(x), Some(y)) = (x, y)
            && x != y
        {
            diffs.push(format!("{what} {x} vs {y}"));
        }
    };
    cmp("image", b.image.clone(), a.image.clone());
    cmp(
        "process id",
        b.pid.map(|p| format!("{p:#x}")),
        a.pid.map(|p| format!("{p:#x}")),
    );
    cmp(
        "OS build",
        b.build.map(|x| x.to_string()),
        a.build.map(|x| x.to_string()),
    );
    cmp("architecture", b.arch.clone(), a.arch.clone());
    (!diffs.is_empty()).then(|| {
        format!(
            "These dumps are not of one process ({}): growth from one to the other would compare unrelated processes.",
            diffs.join(", ")
        )
    })
}

/// What one dump holds, for comparison.
#[derive(Debug, Default)]
struct Snapshot {
    pointer_size: u64,
    usage: BTreeMap<String, (u64, u64)>,
    heaps: BTreeMap<u64, leak::HeapGrowth>,
    sizes: BTreeMap<(u64, u64), (u64, u64)>,
    signatures: BTreeMap<String, (u64, u64)>,
}

/// The content signature of a block's first bytes.
fn signature(bytes: &[u8], modules: &[(String, u64, u64)], ptr: usize) -> String {
    if let Some(t) = leak::ascii_text(bytes, 4) {
        return format!("text: {}", leak::generalize(&t));
    }
    if let Some(t) = leak::utf16_text(bytes, 4) {
        return format!("utf16: {}", leak::generalize(&t));
    }
    let mut v = [0u8; 8];
    if let (Some(dst), Some(src)) = (v.get_mut(..ptr), bytes.get(..ptr)) {
        dst.copy_from_slice(src);
        let p = u64::from_le_bytes(v);
        for (name, base, size) in modules {
            if p >= *base && p.checked_sub(*base).is_some_and(|o| o < *size) {
                return format!("pointer: {}", Location::in_module(name, *base, p));
            }
        }
    }
    "(no text)".to_string()
}

fn snapshot(u: &UserDump, progress: &Progress, notes: &mut Vec<String>) -> Snapshot {
    let dump: &dumpfile::Minidump = &u.dump;
    let mut local = Vec::new();
    let modules: Vec<(String, u64, u64)> = u
        .module_list()
        .iter()
        .map(|m| (m.short_name().to_string(), m.base, m.size))
        .collect();
    // Signatures are taken as the one walk hands out the user blocks.
    let mut signatures: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut read = 0usize;
    let mut capped = false;
    let mut on_block = |bits: u32, e: &ntheap::Entry| {
        if read >= MAX_SIGNATURE_BLOCKS {
            capped = true;
            return;
        }
        read = read.saturating_add(1);
        let ptr = if bits == 32 { 4 } else { 8 };
        let requested = e.requested_size.unwrap_or(0);
        let len = usize::try_from(requested)
            .unwrap_or(usize::MAX)
            .min(SIGNATURE_BYTES);
        let mut buf = vec![0u8; len];
        let sig = if dump.memory().read(e.user_address, &mut buf).is_ok() {
            signature(&buf, &modules, ptr)
        } else {
            "(not captured)".to_string()
        };
        // Bounded memory: past the cap, new signatures are counted together.
        let sig = if signatures.len() >= MAX_SIGNATURES && !signatures.contains_key(&sig) {
            "(other signatures)".to_string()
        } else {
            sig
        };
        let slot = signatures.entry(sig).or_insert((0, 0));
        slot.0 = slot.0.saturating_add(1);
        slot.1 = slot.1.saturating_add(requested);
    };
    let (walked, heaps) = leak::walk_heaps(u, progress, &mut local, &mut on_block);
    let mut lacks = Vec::new();
    let regions = leak::region_step(u, &mut lacks);
    let sizes = leak::size_step(&walked);
    let mut s = Snapshot {
        pointer_size: dump.arch().pointer_size() as u64,
        signatures,
        ..Snapshot::default()
    };
    for u in regions.usage {
        s.usage.insert(u.name, (u.count, u.size));
    }
    for h in heaps {
        if let Some(e) = &h.error {
            local.push(format!("heap {:#x}: {e}", h.address));
        }
        s.heaps.insert(h.address, h);
    }
    for c in sizes {
        s.sizes.insert((c.heap, c.size), (c.count, c.total));
    }
    if capped {
        local.push(format!(
            "signatures: only the first {MAX_SIGNATURE_BLOCKS} blocks were read"
        ));
    }
    for l in lacks.into_iter().chain(local) {
        notes.push(format!("{}: {l}", u.path.display()));
    }
    s
}

fn merge_keys<K: Ord + Clone, V>(a: &BTreeMap<K, V>, b: &BTreeMap<K, V>) -> Vec<K> {
    let mut keys: Vec<K> = a.keys().chain(b.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Compares two dumps of the same process.
pub fn investigate(before: &UserDump, after: &UserDump, options: &leak::Options) -> Report {
    let progress = &options.progress;
    let mut notes = Vec::new();
    let different_processes = different_processes(&identity(before), &identity(after));
    let b = snapshot(before, progress, &mut notes);
    let a = snapshot(after, progress, &mut notes);
    progress.done();

    let mut regions: Vec<UsageGrowth> = merge_keys(&b.usage, &a.usage)
        .into_iter()
        .map(|k| {
            let (bc, bs) = b.usage.get(&k).copied().unwrap_or((0, 0));
            let (ac, as_) = a.usage.get(&k).copied().unwrap_or((0, 0));
            UsageGrowth {
                name: k,
                size: Delta::new(bs, as_),
                count: Delta::new(bc, ac),
            }
        })
        .collect();
    regions.sort_by(|x, y| y.size.delta.cmp(&x.size.delta).then(x.name.cmp(&y.name)));

    let zero = |address: u64| leak::HeapGrowth::empty(address, 0, None);
    let mut heaps: Vec<HeapDelta> = merge_keys(&b.heaps, &a.heaps)
        .into_iter()
        .map(|k| {
            let hb = b.heaps.get(&k).cloned().unwrap_or_else(|| zero(k));
            let ha = a.heaps.get(&k).cloned().unwrap_or_else(|| zero(k));
            HeapDelta {
                address: k,
                segments: Delta::new(hb.segments, ha.segments),
                committed: Delta::new(hb.committed, ha.committed),
                reserved: Delta::new(hb.reserved, ha.reserved),
                busy_blocks: Delta::new(hb.busy_blocks, ha.busy_blocks),
                virtual_blocks: Delta::new(hb.virtual_blocks, ha.virtual_blocks),
            }
        })
        .collect();
    heaps.sort_by(|x, y| {
        y.committed
            .delta
            .cmp(&x.committed.delta)
            .then(x.address.cmp(&y.address))
    });

    let mut sizes: Vec<SizeDelta> = merge_keys(&b.sizes, &a.sizes)
        .into_iter()
        .map(|(heap, size)| {
            let (bc, bt) = b.sizes.get(&(heap, size)).copied().unwrap_or((0, 0));
            let (ac, at) = a.sizes.get(&(heap, size)).copied().unwrap_or((0, 0));
            SizeDelta {
                heap,
                size,
                count: Delta::new(bc, ac),
                total: Delta::new(bt, at),
            }
        })
        .filter(|s| s.count.delta != 0)
        .collect();
    sizes.sort_by(|x, y| {
        y.total
            .delta
            .cmp(&x.total.delta)
            .then(x.size.cmp(&y.size))
            .then(x.heap.cmp(&y.heap))
    });

    let mut signatures: Vec<SignatureDelta> = merge_keys(&b.signatures, &a.signatures)
        .into_iter()
        .map(|k| {
            let (bc, bb) = b.signatures.get(&k).copied().unwrap_or((0, 0));
            let (ac, ab) = a.signatures.get(&k).copied().unwrap_or((0, 0));
            SignatureDelta {
                signature: k,
                count: Delta::new(bc, ac),
                bytes: Delta::new(bb, ab),
            }
        })
        .filter(|s| s.count.delta != 0)
        .collect();
    signatures.sort_by(|x, y| {
        y.bytes
            .delta
            .cmp(&x.bytes.delta)
            .then(x.signature.cmp(&y.signature))
    });

    let conclusion = conclude(&regions, &heaps, &sizes, &signatures);
    Report {
        pointer_size: a.pointer_size,
        regions,
        heaps,
        sizes,
        signatures,
        conclusion: match &different_processes {
            Some(d) => d.clone(),
            None => conclusion,
        },
        different_processes,
        notes,
    }
}

fn signed_size(d: i64) -> String {
    let sign = if d < 0 { "-" } else { "+" };
    format!("{sign}{}", human_size(d.unsigned_abs()))
}

fn conclude(
    regions: &[UsageGrowth],
    heaps: &[HeapDelta],
    sizes: &[SizeDelta],
    signatures: &[SignatureDelta],
) -> String {
    let mut parts = Vec::new();
    if let Some(r) = regions.first().filter(|r| r.size.delta > 0) {
        parts.push(format!(
            "{} grew the most ({}).",
            r.name,
            signed_size(r.size.delta)
        ));
    }
    if let Some(h) = heaps.first().filter(|h| h.committed.delta > 0) {
        parts.push(format!(
            "Heap {:#x} grew from {} to {} segments ({} committed).",
            h.address,
            h.segments.before,
            h.segments.after,
            signed_size(h.committed.delta)
        ));
    }
    if let Some(s) = sizes.first().filter(|s| s.total.delta > 0) {
        parts.push(format!(
            "The leaking size is {:#x}: {:+} blocks ({}).",
            s.size,
            s.count.delta,
            signed_size(s.total.delta)
        ));
    }
    if let Some(s) = signatures.first().filter(|s| s.bytes.delta > 0) {
        let shown = match s.signature.split_once(": ") {
            Some(("text" | "utf16", t)) => format!("\"{t}\""),
            Some(("pointer", p)) => format!("a pointer into {p}"),
            _ => s.signature.clone(),
        };
        parts.push(format!(
            "The growing blocks hold {shown} ({:+} blocks).",
            s.count.delta
        ));
    }
    if parts.is_empty() {
        "No growth between the two dumps.".to_string()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_are_signed() {
        assert_eq!(Delta::new(3, 10).delta, 7);
        assert_eq!(Delta::new(10, 3).delta, -7);
        assert_eq!(signed_size(-4096), "-4.000 kB");
    }

    #[test]
    fn signatures_of_text_wide_text_and_pointers() {
        let m = vec![("app".to_string(), 0x1000u64, 0x1000u64)];
        assert_eq!(
            signature(b"==> Allocated addr: 0x1234\0", &m, 8),
            "text: ==> Allocated addr: 0x%x"
        );
        assert_eq!(signature(b"a\0b\0c\0d\0\0\0", &m, 8), "utf16: abcd");
        assert_eq!(
            signature(&0x1010u64.to_le_bytes(), &m, 8),
            "pointer: app+0x10"
        );
        assert_eq!(signature(&[0u8; 8], &m, 8), "(no text)");
    }
}
