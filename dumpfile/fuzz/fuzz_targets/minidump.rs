//! Fuzz the whole `dumpfile` reader: open from bytes, then every accessor, memory reads at
//! addresses taken from the input and from what was parsed, and the process facts.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The last 64 bytes double as addresses to probe.
    let probes: Vec<u64> = data
        .rchunks_exact(8)
        .take(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    dumpfile::synth::exercise_reader(data.to_vec(), &probes);
});
