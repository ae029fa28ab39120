//! Fuzz the kernel dump reader: open from bytes (small limits), then translation at addresses
//! from the header and the input, the module walks, KDBG location and decoding with keys taken
//! from the input, unloaded drivers and processors.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The last 48 bytes double as addresses to probe and KDBG keys.
    let probes: Vec<u64> = data
        .rchunks_exact(8)
        .take(6)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    dumpfile::synth::kernel::exercise_kernel_reader(data.to_vec(), &probes);
});
