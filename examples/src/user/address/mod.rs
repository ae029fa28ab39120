//! `dumpscope address`: WinDbg's `!address` and `!address -summary`, from the MemoryInfoList
//! stream (or, without it, from the captured memory ranges), and `!address ADDR`.

use serde::Serialize;
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};

use crate::CliError;
use crate::target::UserDump;

pub mod regions;
pub mod summary;
mod text;

pub use self::regions::{
    FROM_CAPTURED, FROM_MEMORY_INFO, MEM_COMMIT, MEM_FREE, MEM_IMAGE, MEM_MAPPED, MEM_PRIVATE,
    MEM_RESERVE, Owners, Region, SHARED_USER_DATA, Usage, captured_regions, classify, heap_owners,
    owners, protect_name, state_name, type_name,
};
pub use self::summary::{Largest, Row, Summary, summarize};

/// What `address` shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// The summary tables (`!address -summary`) instead of the region list.
    pub summary: bool,
}

/// The regions of a dump, each with its usage.
#[derive(Debug, Clone)]
pub struct Classified {
    /// The regions, ascending.
    pub regions: Vec<Region>,
    /// The usage of each region.
    pub usages: Vec<Usage>,
    /// [`FROM_MEMORY_INFO`] or [`FROM_CAPTURED`].
    pub source: &'static str,
}

/// The regions of the dump (MemoryInfoList, else the captured ranges) classified with the
/// owners the threads, the PEB and the walked heaps tell. Fails only when MemoryInfoList is
/// present but unreadable.
pub fn classified(u: &UserDump) -> Result<Classified, dumpfile::Error> {
    let list = regions::regions(&u.dump)?;
    Ok(classify_list(u, list))
}

/// [`classified`], falling back to the captured ranges when MemoryInfoList is unreadable.
pub fn classified_or_captured(u: &UserDump) -> Classified {
    classify_list(u, regions::regions(&u.dump).ok().flatten())
}

fn classify_list(u: &UserDump, list: Option<Vec<Region>>) -> Classified {
    let process = u.process().ok();
    let (regions, source) = match list {
        Some(r) => (r, FROM_MEMORY_INFO),
        None => (captured_regions(&u.dump, process), FROM_CAPTURED),
    };
    let mut owners = owners(&u.dump, process);
    owners.heaps = u.heap_regions().to_vec();
    let usages = classify(&regions, &owners);
    Classified {
        regions,
        usages,
        source,
    }
}

/// `!address` or `!address -summary`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Report {
    /// Every region with its usage.
    Regions(RegionList),
    /// The summary tables.
    Summary(SummaryReport),
}

/// `!address`: every region with its usage.
#[derive(Debug, Clone, Serialize)]
pub struct RegionList {
    /// Regions with their usages.
    #[serde(serialize_with = "regions_with_usage")]
    pub regions: Classified,
    /// Where the regions came from.
    pub source: &'static str,
    /// Pointer size of the dump (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// `!address -summary`.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct SummaryReport {
    /// The tables.
    pub summary: Summary,
    /// Regions described (text only: the note on captured ranges).
    #[serde(skip)]
    pub region_count: usize,
    /// Pointer size of the dump (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// `regions` of the JSON contract: one object per region, keys in alphabetical order.
fn regions_with_usage<S: Serializer>(c: &Classified, s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(c.regions.len()))?;
    for (r, u) in c.regions.iter().zip(&c.usages) {
        seq.serialize_element(&RegionWithUsage(r, *u))?;
    }
    seq.end()
}

struct RegionWithUsage<'a>(&'a Region, Usage);

impl Serialize for RegionWithUsage<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let RegionWithUsage(r, u) = self;
        let mut st = s.serialize_struct("Region", 7)?;
        st.serialize_field("allocation_base", &r.allocation_base)?;
        st.serialize_field("base", &r.base)?;
        st.serialize_field("protect", &r.protect)?;
        st.serialize_field("size", &r.size)?;
        st.serialize_field("state", &r.state)?;
        st.serialize_field("type", &r.kind)?;
        st.serialize_field("usage", u)?;
        st.end()
    }
}

/// The region list or the summary of the dump.
pub fn investigate(u: &UserDump, options: &Options) -> Result<Report, CliError> {
    let c = classified(u).map_err(|e| CliError::at(&u.path, e))?;
    let pointer_size = u.pointer_size();
    if options.summary {
        return Ok(Report::Summary(SummaryReport {
            summary: summarize(&c.regions, &c.usages, c.source),
            region_count: c.regions.len(),
            pointer_size,
        }));
    }
    Ok(Report::Regions(RegionList {
        source: c.source,
        regions: c,
        pointer_size,
    }))
}
