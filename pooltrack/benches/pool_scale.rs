//! Scale of `!poolfind` and `!poolused`: one timed pass of each at growing sizes, against a raw
//! read of the same bytes through the same memory, to show the passes stay linear and close to
//! the read. `!poolfind` scans 64 MiB, 512 MiB and 4 GiB of non-paged pool pages; `!poolused`
//! sums tracker tables of 1, 8, 16 and 64 processors.
//!
//! The pool is served by a memory that cycles 64 distinct pool pages over the whole range, so a
//! 4 GiB pool needs 256 KiB of RAM; both the scan and the raw read pay the same copy out of it.
//!
//! Run: `cargo bench -p pooltrack --features synth --bench pool_scale` (a table on stdout).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

use pooltrack::synth::{SynthBlock, SynthKernel, pool_page, usage};
use pooltrack::{Arch, KernelBuild, Limits, MemoryError, Pool, PoolContext, ReadMemory};

const PAGE: u64 = 0x1000;
const DISTINCT: u64 = 64;

/// `len` bytes of pool at `base`, page `i` holding distinct page `i % 64`.
struct CyclicPool {
    base: u64,
    len: u64,
    pages: Vec<Vec<u8>>,
}

impl ReadMemory for CyclicPool {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let off = addr
            .checked_sub(self.base)
            .filter(|o| o.saturating_add(buf.len() as u64) <= self.len)
            .ok_or(MemoryError::not_captured(addr, buf.len()))?;
        let mut done = 0usize;
        while done < buf.len() {
            let at = off + done as u64;
            let page = &self.pages[((at / PAGE) % DISTINCT) as usize];
            let in_page = (at % PAGE) as usize;
            let n = (PAGE as usize - in_page).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&page[in_page..in_page + n]);
            done += n;
        }
        Ok(())
    }
}

fn cyclic_pool(build: KernelBuild, base: u64, len: u64) -> CyclicPool {
    let tags = [*b"Thre", *b"File", *b"Even", *b"MmSt", *b"Proc"];
    let pages = (0..DISTINCT as usize)
        .map(|p| {
            let blocks: Vec<SynthBlock> = (0..12)
                .map(|i| SynthBlock {
                    // One distinct page in 64 holds the leaking tag.
                    tag: u32::from_le_bytes(if p == 0 { *b"Leak" } else { tags[(p + i) % 5] }),
                    size: 0x140,
                    free: i % 5 == 4,
                    paged: false,
                })
                .collect();
            pool_page(build, &blocks)
        })
        .collect();
    CyclicPool { base, len, pages }
}

/// Seconds of the best of `n` runs.
fn best(n: usize, mut f: impl FnMut()) -> f64 {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run small then.
    let full = std::env::args().any(|a| a == "--bench");
    let build = KernelBuild::new(Arch::X64, 7601);
    let base = 0xffff_fa80_0000_0000u64;
    println!(
        "!poolfind over non-paged pool pages (best of 3): Leak is on one page in 64, Thre on most"
    );
    println!(
        "{:>10} {:>10} {:>10} {:>7} {:>9}",
        "pool", "poolfind", "raw read", "ratio", "hits"
    );
    let sizes: &[u64] = if full {
        &[64 << 20, 512 << 20, 4 << 30]
    } else {
        &[1 << 20]
    };
    for (len, pattern) in sizes
        .iter()
        .map(|l| (*l, "Leak"))
        // The dense case below the findings limit (1,000,000 hits).
        .chain(std::iter::once((sizes[sizes.len().min(2) - 1], "Thre")))
    {
        let m = cyclic_pool(build, base, len);
        let mut ctx = PoolContext::new(build);
        ctx.non_paged_pool = Some((base, base + len));
        let pool = Pool::new(&m, ctx, Limits::default());
        let ranges = [(base, base + len)];
        let mut hits = 0;
        let find = best(3, || {
            let f = pool.pool_find(pattern, &ranges, &mut |_| true).unwrap();
            hits = f.hits.len();
            black_box(&f);
        });
        let mut buf = vec![0u8; PAGE as usize];
        let raw = best(3, || {
            let mut p = base;
            while p < base + len {
                m.read(p, &mut buf).unwrap();
                black_box(&buf);
                p += PAGE;
            }
        });
        println!(
            "{:>8}Mi {:>9.3}s {:>9.3}s {:>6.2}x {:>9}  {pattern}",
            len >> 20,
            find,
            raw,
            find / raw,
            hits
        );
    }

    println!();
    println!("!poolused over per-processor tracker tables of 8,193 entries (best of 5)");
    println!(
        "{:>5} {:>10} {:>10} {:>7}",
        "cpus", "poolused", "raw read", "ratio"
    );
    let cpus: &[usize] = if full { &[1, 8, 16, 64] } else { &[2] };
    for &n in cpus {
        let b = KernelBuild::new(Arch::X64, 19041);
        let mut k = SynthKernel::new(b);
        let tags: Vec<String> = (0..2000u32).map(|i| format!("T{:03}", i % 1000)).collect();
        let per_cpu: Vec<_> = (0..n)
            .map(|c| {
                tags.iter()
                    .step_by(2)
                    .skip(c % 2)
                    .take(1000)
                    .map(|t| usage(t, (c as u64 + 10, 5, 4096), (3, 1, 512)))
                    .collect()
            })
            .collect();
        k.add_tracker_tables(0xffff_f800_1000_0000, 0xffff_f800_0f00_0000, 8193, &per_cpu);
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let tables = pool.tracker_tables();
        assert_eq!(tables.len(), n);
        let used = best(5, || {
            black_box(pool.pool_usage(false).unwrap());
        });
        let mut buf = vec![0u8; 8193 * 0x38];
        let raw = best(5, || {
            for (t, _) in &tables {
                k.memory.read(*t, &mut buf).unwrap();
                black_box(&buf);
            }
        });
        println!(
            "{n:>5} {:>8.3}ms {:>8.3}ms {:>6.2}x",
            used * 1e3,
            raw * 1e3,
            used / raw
        );
    }
}
