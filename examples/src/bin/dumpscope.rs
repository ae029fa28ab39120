//! `dumpscope`: investigate Windows memory leaks and crashes from dump files, on any OS.

fn main() -> std::process::ExitCode {
    examples::cli::main()
}
