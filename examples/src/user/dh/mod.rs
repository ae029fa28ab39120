//! `dumpscope dh`: PE headers and sections like WinDbg's `!dh` (`-s` sections only, `-f` file
//! headers only), of a module in a dump or of a PE file.

use pe_sections::{CodeView, DebugEntry, SectionStatus};
use serde::Serialize;
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};

use crate::CliError;
use crate::target::{Image, Source};

mod text;

pub use self::text::ctime;

/// What `dh` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The module (name or base) when the target is a dump.
    pub module: Option<String>,
    /// Only the section headers (`!dh -s`).
    pub sections_only: bool,
    /// Only the file and optional headers (`!dh -f`).
    pub file_only: bool,
}

/// The headers of one image; its serde form is the JSON contract of `dh --json`.
#[derive(Debug)]
pub struct Report<'a> {
    /// The image.
    pub image: Image<'a>,
    /// For images in a dump, each section's presence: "captured", "partial", "not captured".
    pub statuses: Vec<Option<String>>,
    /// The debug directory, or why it could not be read.
    pub debug: Result<Vec<DebugEntry>, String>,
    /// The CodeView record, or why it could not be read.
    pub codeview: Result<Option<CodeView>, String>,
    /// What the text shows.
    pub options: Options,
}

fn status_text(s: &Result<SectionStatus, pe_sections::Error>) -> String {
    match s {
        Ok(SectionStatus::Captured) => "captured".to_string(),
        Ok(SectionStatus::Partial { .. }) => "partial".to_string(),
        Ok(SectionStatus::NotCaptured) => "not captured".to_string(),
        Err(e) => format!("error: {e}"),
    }
}

/// Reads the headers, the sections' presence in the dump and the debug directory.
pub fn investigate<'a>(target: Source<'a>, options: &Options) -> Result<Report<'a>, CliError> {
    let image = target.image(options.module.as_deref(), "dumpscope dh DUMP ntdll")?;
    let statuses = image
        .pe
        .sections()
        .iter()
        .map(|s| {
            image
                .in_dump
                .then(|| status_text(&image.pe.section_status(s)))
        })
        .collect();
    let debug = image.pe.debug_directory().map_err(|e| e.to_string());
    let codeview = image.pe.codeview().map_err(|e| e.to_string());
    Ok(Report {
        image,
        statuses,
        debug,
        codeview,
        options: options.clone(),
    })
}

impl Serialize for Report<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let pe = &self.image.pe;
        let cv = self.codeview.as_ref().ok().and_then(Option::as_ref);
        let mut st = s.serialize_struct("Dh", 7)?;
        st.serialize_field("machine", &pe.machine().0)?;
        st.serialize_field("timestamp", &pe.timestamp())?;
        st.serialize_field("size_of_image", &pe.size_of_image())?;
        st.serialize_field("image_base", &pe.base())?;
        st.serialize_field("pdb_name", &cv.map(|c| &c.pdb_name))?;
        st.serialize_field("pdb_id", &cv.map(CodeView::pdb_id))?;
        st.serialize_field("sections", &Sections(self))?;
        st.end()
    }
}

/// `sections` of the JSON contract.
struct Sections<'r, 'a>(&'r Report<'a>);

impl Serialize for Sections<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sections = self.0.image.pe.sections();
        let mut q = s.serialize_seq(Some(sections.len()))?;
        for (h, status) in sections.iter().zip(&self.0.statuses) {
            q.serialize_element(&Section(h, status.as_deref()))?;
        }
        q.end()
    }
}

struct Section<'a>(&'a pe_sections::SectionHeader, Option<&'a str>);

impl Serialize for Section<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Section(h, status) = *self;
        let mut st = s.serialize_struct("Section", 7)?;
        st.serialize_field("name", &h.name())?;
        st.serialize_field("virtual_address", &h.virtual_address)?;
        st.serialize_field("virtual_size", &h.virtual_size)?;
        st.serialize_field("raw_size", &h.size_of_raw_data)?;
        st.serialize_field("raw_offset", &h.pointer_to_raw_data)?;
        st.serialize_field("characteristics", &h.characteristics.bits())?;
        st.serialize_field("status", &status)?;
        st.end()
    }
}
