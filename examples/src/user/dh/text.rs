//! `!dh` as WinDbg prints it.

use std::io::{self, Write};

use pe_sections::{PeImage, SectionHeader, dir};

use super::Report;
use crate::report::Text;

impl Text for Report<'_> {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let o = &self.options;
        let pe = &self.image.pe;
        let all = !o.sections_only && !o.file_only;
        if all || o.file_only {
            write_file_headers(pe, &self.image.name, out)?;
        }
        if all || o.sections_only {
            for (i, (s, status)) in pe.sections().iter().zip(&self.statuses).enumerate() {
                write_section(i, s, status.as_deref(), out)?;
            }
        }
        if all {
            write_debug(self, out)?;
        }
        Ok(())
    }

    fn failure(&self) -> Option<String> {
        match &self.codeview {
            Err(e) if !self.options.sections_only => {
                Some(format!("{}: CodeView: {e}", self.image.name))
            }
            _ => None,
        }
    }
}

/// `Fri Mar 29 12:34:33 2019` from a Unix time stamp (UTC), as `!dh` prints it.
// The inputs are bounded (a u32 of seconds), so none of this i64 arithmetic can overflow.
#[allow(clippy::arithmetic_side_effects)]
pub fn ctime(t: u32) -> String {
    let secs = i64::from(t);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let wd = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let dname = usize::try_from(wd)
        .ok()
        .and_then(|i| DAYS.get(i))
        .copied()
        .unwrap_or("???");
    let mname = usize::try_from(m - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("???");
    format!(
        "{dname} {mname} {d:2} {:02}:{:02}:{:02} {y}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

fn write_file_headers(pe: &PeImage<'_>, name: &str, out: &mut dyn Write) -> io::Result<()> {
    let fh = pe.file_header();
    let oh = pe.optional_header();
    writeln!(
        out,
        "\nFile Type: {}",
        if fh
            .characteristics
            .contains(pe_sections::FileCharacteristics::DLL)
        {
            "DLL"
        } else {
            "EXECUTABLE IMAGE"
        }
    )?;
    writeln!(out, "FILE HEADER VALUES ({name})")?;
    writeln!(
        out,
        "{:8X} machine ({})",
        fh.machine.0,
        fh.machine.name().unwrap_or("unknown")
    )?;
    writeln!(out, "{:8X} number of sections", fh.number_of_sections)?;
    writeln!(
        out,
        "{:8X} time date stamp {}",
        fh.time_date_stamp,
        ctime(fh.time_date_stamp)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:8X} file pointer to symbol table",
        fh.pointer_to_symbol_table
    )?;
    writeln!(out, "{:8X} number of symbols", fh.number_of_symbols)?;
    writeln!(
        out,
        "{:8X} size of optional header",
        fh.size_of_optional_header
    )?;
    writeln!(out, "{:8X} characteristics", fh.characteristics.bits())?;
    use pe_sections::FileCharacteristics as F;
    for (flag, text) in [
        (F::RELOCS_STRIPPED, "Relocations stripped"),
        (F::EXECUTABLE_IMAGE, "Executable"),
        (F::LINE_NUMS_STRIPPED, "Line numbers stripped"),
        (F::LOCAL_SYMS_STRIPPED, "Symbols stripped"),
        (F::LARGE_ADDRESS_AWARE, "App can handle >2gb addresses"),
        (F::MACHINE_32BIT, "32 bit word machine"),
        (F::DEBUG_STRIPPED, "Debug information stripped"),
        (F::SYSTEM, "System"),
        (F::DLL, "DLL"),
    ] {
        if fh.characteristics.contains(flag) {
            writeln!(out, "            {text}")?;
        }
    }
    writeln!(out, "\nOPTIONAL HEADER VALUES")?;
    let kind = if pe.is_64() { "PE32+" } else { "PE32" };
    writeln!(out, "{:8X} magic # ({kind})", oh.magic)?;
    writeln!(
        out,
        "{:>8} linker version",
        format!("{}.{:02}", oh.linker_version.0, oh.linker_version.1)
    )?;
    writeln!(out, "{:8X} size of code", oh.size_of_code)?;
    writeln!(
        out,
        "{:8X} size of initialized data",
        oh.size_of_initialized_data
    )?;
    writeln!(
        out,
        "{:8X} size of uninitialized data",
        oh.size_of_uninitialized_data
    )?;
    writeln!(
        out,
        "{:8X} address of entry point",
        oh.address_of_entry_point
    )?;
    writeln!(out, "{:8X} base of code", oh.base_of_code)?;
    writeln!(out, "         ----- new -----")?;
    if pe.is_64() {
        writeln!(out, "{:016X} image base", oh.image_base)?;
    } else {
        writeln!(out, "{:8X} image base", oh.image_base)?;
    }
    if pe.base() != oh.image_base {
        writeln!(out, "{:8X} load base (in the dump)", pe.base())?;
    }
    writeln!(out, "{:8X} section alignment", oh.section_alignment)?;
    writeln!(out, "{:8X} file alignment", oh.file_alignment)?;
    writeln!(out, "{:8X} subsystem", oh.subsystem)?;
    let v = |p: (u16, u16)| format!("{}.{:02}", p.0, p.1);
    writeln!(
        out,
        "{:>8} operating system version",
        v(oh.operating_system_version)
    )?;
    writeln!(out, "{:>8} image version", v(oh.image_version))?;
    writeln!(out, "{:>8} subsystem version", v(oh.subsystem_version))?;
    writeln!(out, "{:8X} size of image", oh.size_of_image)?;
    writeln!(out, "{:8X} size of headers", oh.size_of_headers)?;
    writeln!(out, "{:8X} checksum", oh.check_sum)?;
    writeln!(
        out,
        "{:8X} DLL characteristics",
        oh.dll_characteristics.bits()
    )?;
    use pe_sections::DllCharacteristics as D;
    for (flag, text) in [
        (D::HIGH_ENTROPY_VA, "High entropy VA supported"),
        (D::DYNAMIC_BASE, "Dynamic base"),
        (D::FORCE_INTEGRITY, "Force integrity"),
        (D::NX_COMPAT, "NX compatible"),
        (D::NO_ISOLATION, "No isolation"),
        (D::NO_SEH, "No structured exception handling"),
        (D::NO_BIND, "No bind"),
        (D::APPCONTAINER, "AppContainer"),
        (D::WDM_DRIVER, "WDM driver"),
        (D::GUARD_CF, "Guard"),
        (D::TERMINAL_SERVER_AWARE, "Terminal server aware"),
    ] {
        if oh.dll_characteristics.contains(flag) {
            writeln!(out, "            {text}")?;
        }
    }
    for (i, d) in pe.data_directories().iter().enumerate() {
        let name = dir::NAMES.get(i).copied().unwrap_or("Reserved Directory");
        writeln!(
            out,
            "{:8X} [{:8X}] address [size] of {name}",
            d.virtual_address, d.size
        )?;
    }
    Ok(())
}

fn write_section(
    index: usize,
    s: &SectionHeader,
    status: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "\nSECTION HEADER #{}", index.saturating_add(1))?;
    writeln!(out, "{:>8} name", s.name())?;
    writeln!(out, "{:8X} virtual size", s.virtual_size)?;
    writeln!(out, "{:8X} virtual address", s.virtual_address)?;
    writeln!(out, "{:8X} size of raw data", s.size_of_raw_data)?;
    writeln!(out, "{:8X} file pointer to raw data", s.pointer_to_raw_data)?;
    writeln!(
        out,
        "{:8X} file pointer to relocation table",
        s.pointer_to_relocations
    )?;
    writeln!(
        out,
        "{:8X} file pointer to line numbers",
        s.pointer_to_linenumbers
    )?;
    writeln!(out, "{:8X} number of relocations", s.number_of_relocations)?;
    writeln!(out, "{:8X} number of line numbers", s.number_of_linenumbers)?;
    writeln!(out, "{:8X} flags", s.characteristics.bits())?;
    for line in s.flag_descriptions() {
        writeln!(out, "         {line}")?;
    }
    if let Some(status) = status {
        writeln!(out, "         [{status} in the dump]")?;
    }
    Ok(())
}

fn write_debug(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let (pe, cv) = (&r.image.pe, &r.codeview);
    let entries = match &r.debug {
        Ok(e) => e,
        Err(e) => {
            writeln!(out, "\nDebug Directories: {e}")?;
            return Ok(());
        }
    };
    if entries.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nDebug Directories({})", entries.len())?;
    writeln!(out, "\tType       Size     Address  Pointer")?;
    for e in entries {
        let typ = match e.typ {
            1 => "coff".to_string(),
            2 => "cv".to_string(),
            4 => "misc".to_string(),
            12 => "feat".to_string(),
            13 => "coffgrp".to_string(),
            16 => "repro".to_string(),
            20 => "exdllcharacteristics".to_string(),
            t => format!("({t:2})"),
        };
        write!(
            out,
            "\t{typ:<8}{:>7x}{:>12x}{:>9x}",
            e.size_of_data, e.address_of_raw_data, e.pointer_to_raw_data
        )?;
        if e.typ == 2
            && let Ok(Some(c)) = cv
        {
            let format = match c.kind {
                pe_sections::CodeViewKind::Pdb70 { .. } => "RSDS, guid",
                pe_sections::CodeViewKind::Pdb20 { .. } => "NB10",
            };
            write!(out, "\tFormat: {format}, {}, {}", c.age, c.pdb_name)?;
        }
        writeln!(out)?;
    }
    if let Ok(Some(c)) = cv {
        if let Some(g) = c.guid_string() {
            writeln!(out, "\tGUID {g}")?;
        }
        writeln!(out, "\tSymbol server id {}", c.pdb_id())?;
    }
    writeln!(
        out,
        "\tSymbol store key of the image {}",
        pe.symbol_store_key()
    )?;
    Ok(())
}
