//! Writes the kernel seed corpus (small synthetic kernel dumps of every kind and architecture)
//! to `corpus/kernel`: `cargo run --example write_kernel_seeds`.

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/kernel");
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in dumpfile::synth::kernel::seed_dumps() {
        std::fs::write(dir.join(format!("{name}.dmp")), bytes)?;
    }
    Ok(())
}
