//! The strings of one section of a module mapped in a dump, as `module+rva`: `cargo run -p
//! examples --example module_strings -- DUMP hello .rdata` (dumpfile + pe-sections).
use examples::adapt::DumpMemory;
use pe_sections::{PeImage, StringKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let default = "../shared/corpus/user/win7-x64-wow64-hello-full.dmp";
    let path = args.next().unwrap_or_else(|| default.into());
    let wanted = args.next().unwrap_or_else(|| "hello".into());
    let section = args.next().unwrap_or_else(|| ".rdata".into());
    let dump = dumpfile::Minidump::open(&path)?;
    let m = (dump.module_by_name(&wanted)?).ok_or(format!("no module {wanted} in {path}"))?;
    let mem = DumpMemory(&dump);
    let pe = PeImage::parse_mapped(&mem, m.base)?;
    let s = pe
        .section_by_name(&section)
        .ok_or(format!("no section {section}"))?;
    for found in pe.strings(s, 5, StringKind::Ascii)? {
        println!("{}+{:#x}  {}", m.short_name(), found.rva, found.text);
    }
    Ok(())
}
