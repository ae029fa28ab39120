//! Benchmarks of the dumpscope crates. The benches themselves live in `benches/`; this library only
//! holds helpers shared by them.
