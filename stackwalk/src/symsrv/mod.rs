//! Symbols like WinDbg: symbol paths (`_NT_SYMBOL_PATH`), symbol stores and symbol servers
//! (feature `symsrv`; CAB-compressed entries with `cab`, downloads with `http`).
//!
//! - [`SymbolPath`]: WinDbg's syntax (`srv*CACHE*URL`, `srv*URL`, `cache*DIR`,
//!   `symsrv*symsrv.dll*CACHE*URL`, plain folders, `;`-separated).
//! - [`Wanted`]: a PDB by name, GUID and age, or an image by name, `TimeDateStamp` and
//!   `SizeOfImage`; its store key and layout (`name/KEY/name`, two-tier `na/name/KEY/name`).
//! - [`SymbolLocator`]: finds them along a path, downloads from servers into the downstream
//!   store, and keeps a [`Lookup`] report of each search.
//!
//! The library takes the path as a string; reading `_NT_SYMBOL_PATH` is the caller's choice.

#[cfg(feature = "cab")]
mod cab;
#[cfg(feature = "http")]
mod http;
mod key;
mod locator;
mod options;
mod path;
mod ptr;
mod report;

#[cfg(feature = "cab")]
pub use cab::expand as expand_cab;
pub use key::{Wanted, image_key, store_file_name};
pub use locator::SymbolLocator;
pub use options::{Progress, SymbolOptions};
pub use path::{MICROSOFT_SYMBOL_SERVER, PathElement, Store, SymbolPath};
pub use ptr::{MAX_POINTER_BYTES, Pointer};
pub use report::{Answer, Attempt, Lookup, Origin, Status};
