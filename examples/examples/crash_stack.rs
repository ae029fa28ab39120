//! The crash stack of a dump's exception, with symbols from PDBs found by GUID and age whatever
//! their file names: `cargo run -p examples --example crash_stack -- DUMP PDB_DIR`.
use dumpfile::CodeView::Pdb70;
use examples::adapt::DumpMemory;
use stackwalk::{Context, ContextX64, Module, Modules, PdbData, PdbIdentity as Id, Walker};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let default = "../shared/corpus/user/win10-16299-x64-sigsegv.dmp";
    let path = args.next().unwrap_or_else(|| default.into());
    let pdb_dir = args
        .next()
        .unwrap_or_else(|| "../shared/corpus/user".into());
    let dir = std::path::Path::new(&pdb_dir);
    let dump = dumpfile::Minidump::open(&path)?;
    let mut modules = Vec::new();
    for m in dump.modules()? {
        let mut module = Module::new(m.short_name(), m.base, m.size);
        if let Some(cv @ Pdb70 { guid, age, .. }) = &m.codeview {
            let (guid, age) = (*guid, *age);
            if let Some(p) = stackwalk::find_pdb(dir, cv.pdb_name(), &Id { guid, age })? {
                let pdb = PdbData::read(std::fs::File::open(p)?)?;
                module = module.with_code_ranges(pdb.code_ranges);
                module = module.with_symbols(pdb.symbols);
            }
        }
        modules.push(module);
    }
    let modules = Modules::new(modules);
    let exception = dump.exception()?.ok_or("no exception in the dump")?;
    let context = ContextX64::from_bytes(dump.location_bytes(exception.context)?)?;
    let stack = Walker::new(DumpMemory(&dump), &modules).walk(Context::X64(context));
    for (i, f) in stack.frames.iter().enumerate() {
        let at = modules.locate(f.instruction, f.is_return_address);
        println!("{i:02x} {:016x} {at}", f.stack_pointer);
    }
    Ok(())
}
