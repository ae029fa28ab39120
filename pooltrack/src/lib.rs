//! `pooltrack`: Windows kernel pool analysis from kernel dumps.
//!
//! This crate is not built yet. It will contain:
//!
//! - pool headers (`_POOL_HEADER`) for x86 and x64, Windows 7 to 11, with layout tables chosen by
//!   build and confirmed at run time;
//! - tag statistics in the manner of WinDbg's `!poolused` and `!poolfind`;
//! - the big-pool table (`PoolBigPageTable`);
//! - Driver Verifier pool tracking (`!verifier 3` and `!verifier 80`);
//! - pool tag descriptions (`pooltag.txt` format);
//! - the kernel objects that hold pool: processes (`!process 0 0`), handle tables (`!handle`)
//!   and threads (`!thread`).
//!
//! Like every crate of the workspace it will read memory through a small trait of its own, so it
//! depends on no other crate of the workspace.
