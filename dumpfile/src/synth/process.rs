//! A 64-bit process's PEB and TEB pages (Windows 10 offsets), for synthetic dumps whose
//! process facts (heaps, stacks) the readers find as in a real one.

/// `PEB64.ProcessHeap`.
const PEB_PROCESS_HEAP: usize = 0x30;
/// `PEB64.NtGlobalFlag`.
const PEB_NT_GLOBAL_FLAG: usize = 0xbc;
/// `PEB64.NumberOfHeaps`.
const PEB_NUMBER_OF_HEAPS: usize = 0xe8;
/// `PEB64.MaximumNumberOfHeaps`.
const PEB_MAXIMUM_NUMBER_OF_HEAPS: usize = 0xec;
/// `PEB64.ProcessHeaps`.
const PEB_PROCESS_HEAPS: usize = 0xf0;
/// Where in the PEB's page the heap array is put.
const HEAP_ARRAY: usize = 0x800;

fn put(page: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(d) = at
        .checked_add(bytes.len())
        .and_then(|end| page.get_mut(at..end))
    {
        d.copy_from_slice(bytes);
    }
}

/// A PEB page at `peb` listing `heaps` (the first is `ProcessHeap`; at most 16, in an array in
/// the same page at +0x800), with `NtGlobalFlag` (`0x0200_0000` is `+hpa`, page heap).
pub fn peb64(peb: u64, nt_global_flag: u32, heaps: &[u64]) -> Vec<u8> {
    let mut page = vec![0u8; 0x1000];
    let heaps = heaps.get(..heaps.len().min(16)).unwrap_or(&[]);
    put(
        &mut page,
        PEB_PROCESS_HEAP,
        &heaps.first().copied().unwrap_or(0).to_le_bytes(),
    );
    put(&mut page, PEB_NT_GLOBAL_FLAG, &nt_global_flag.to_le_bytes());
    let n = u32::try_from(heaps.len()).unwrap_or(0);
    put(&mut page, PEB_NUMBER_OF_HEAPS, &n.to_le_bytes());
    put(&mut page, PEB_MAXIMUM_NUMBER_OF_HEAPS, &16u32.to_le_bytes());
    put(
        &mut page,
        PEB_PROCESS_HEAPS,
        &peb.wrapping_add(HEAP_ARRAY as u64).to_le_bytes(),
    );
    for (i, h) in heaps.iter().enumerate() {
        put(
            &mut page,
            HEAP_ARRAY.saturating_add(i.saturating_mul(8)),
            &h.to_le_bytes(),
        );
    }
    page
}

/// A TEB (two pages) at `teb` for the process at `peb`, with its stack `[limit, base)`
/// (`NtTib.StackBase`/`StackLimit`, `NtTib.Self`, `ProcessEnvironmentBlock`).
pub fn teb64(teb: u64, peb: u64, stack_limit: u64, stack_base: u64) -> Vec<u8> {
    let mut page = vec![0u8; 0x2000];
    put(&mut page, 0x8, &stack_base.to_le_bytes());
    put(&mut page, 0x10, &stack_limit.to_le_bytes());
    put(&mut page, 0x30, &teb.to_le_bytes());
    put(&mut page, 0x60, &peb.to_le_bytes());
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peb_lists_its_heaps_where_the_reader_finds_them() {
        let p = peb64(0x7000, 0x0200_0000, &[0x10_0000, 0x20_0000]);
        let u64_at = |o: usize| u64::from_le_bytes(p[o..o + 8].try_into().unwrap_or([0; 8]));
        assert_eq!(u64_at(0x30), 0x10_0000);
        assert_eq!(u64_at(0xf0), 0x7800);
        assert_eq!(u64_at(0x808), 0x20_0000);
        assert_eq!(p[0xe8], 2);
        let t = teb64(0x9000, 0x7000, 0x1000, 0x3000);
        assert_eq!(&t[0x60..0x68], &0x7000u64.to_le_bytes());
        assert_eq!(&t[0x8..0x10], &0x3000u64.to_le_bytes());
    }
}
