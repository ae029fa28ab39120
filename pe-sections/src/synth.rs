//! A small PE image builder for tests, fuzzing and demos (feature `synth`).
//!
//! It writes bytes straight from the PE/COFF specification, without using this crate's
//! parser layouts, so the parser can be tested against it independently.
//!
//! ```
//! use pe_sections::synth::PeBuilder;
//! let mut b = PeBuilder::x64();
//! let text = b.add_section(".text", PeBuilder::CODE, vec![0xc3]);
//! b.export("Ret", text);
//! let file = b.build();
//! let pe = pe_sections::PeImage::parse_file(&file).unwrap();
//! assert_eq!(pe.exports().unwrap().unwrap().by_name("Ret").unwrap().rva(), Some(text));
//! ```

const SECTION_ALIGN: u32 = 0x1000;
const FILE_ALIGN: u32 = 0x200;

#[derive(Debug, Clone)]
struct Section {
    name: [u8; 8],
    rva: u32,
    data: Vec<u8>,
    virtual_size: u32,
    characteristics: u32,
}

/// A version resource to write: the file version and the string table.
type VersionResource = ([u16; 4], Vec<(String, String)>);

#[derive(Debug, Clone)]
enum ExportTarget {
    Rva(u32),
    Forward(String),
}

/// Builds a PE32 or PE32+ image with sections, exports, a CodeView record, `.pdata` and
/// base relocations, in file layout ([`PeBuilder::build`]) or mapped layout
/// ([`PeBuilder::build_mapped`]).
///
/// All arithmetic saturates: absurd inputs give absurd but finite images. It is a test
/// tool; the images are not meant to run.
#[derive(Debug, Clone)]
pub struct PeBuilder {
    is64: bool,
    machine: u16,
    image_base: u64,
    timestamp: u32,
    entry: u32,
    dll_name: String,
    sections: Vec<Section>,
    exports: Vec<(String, ExportTarget)>,
    codeview: Option<([u8; 16], u32, String)>,
    pdata: Vec<(u32, u32, u32)>,
    relocs: Vec<(u32, u8)>,
    version: Option<VersionResource>,
}

fn align(v: u32, a: u32) -> u32 {
    v.saturating_add(a.saturating_sub(1))
        .checked_div(a)
        .unwrap_or(0)
        .saturating_mul(a)
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn len32(v: &[u8]) -> u32 {
    u32::try_from(v.len()).unwrap_or(u32::MAX)
}

impl PeBuilder {
    /// `IMAGE_SCN_CNT_CODE | MEM_EXECUTE | MEM_READ`.
    pub const CODE: u32 = 0x6000_0020;
    /// `IMAGE_SCN_CNT_INITIALIZED_DATA | MEM_READ`.
    pub const RDATA: u32 = 0x4000_0040;
    /// `IMAGE_SCN_CNT_INITIALIZED_DATA | MEM_READ | MEM_WRITE`.
    pub const DATA: u32 = 0xc000_0040;
    /// Initialized data, read-only, discardable (`.reloc`).
    pub const DISCARDABLE: u32 = 0x4200_0040;

    /// A PE32+ x64 image at the default base 0x1_4000_0000.
    pub fn x64() -> Self {
        Self::new(true, 0x8664, 0x1_4000_0000)
    }

    /// A PE32 x86 image at the default base 0x40_0000.
    pub fn x86() -> Self {
        Self::new(false, 0x14c, 0x40_0000)
    }

    /// A PE32+ ARM64 image.
    pub fn arm64() -> Self {
        Self::new(true, 0xaa64, 0x1_4000_0000)
    }

    fn new(is64: bool, machine: u16, image_base: u64) -> Self {
        PeBuilder {
            is64,
            machine,
            image_base,
            timestamp: 0x5f00_0000,
            entry: 0,
            dll_name: "synth.dll".to_string(),
            sections: Vec::new(),
            exports: Vec::new(),
            codeview: None,
            pdata: Vec::new(),
            relocs: Vec::new(),
            version: None,
        }
    }

    /// Sets the preferred image base.
    pub fn image_base(&mut self, base: u64) -> &mut Self {
        self.image_base = base;
        self
    }

    /// Sets the link time stamp.
    pub fn timestamp(&mut self, t: u32) -> &mut Self {
        self.timestamp = t;
        self
    }

    /// Sets the entry point RVA.
    pub fn entry(&mut self, rva: u32) -> &mut Self {
        self.entry = rva;
        self
    }

    /// Sets the DLL name written in the export directory.
    pub fn dll_name(&mut self, name: &str) -> &mut Self {
        self.dll_name = name.to_string();
        self
    }

    /// The RVA the next added section will get.
    pub fn next_rva(&self) -> u32 {
        self.sections.last().map_or(SECTION_ALIGN, |s| {
            align(s.rva.saturating_add(s.virtual_size.max(1)), SECTION_ALIGN)
        })
    }

    /// Adds a section; returns its RVA. The virtual size is the data length.
    pub fn add_section(&mut self, name: &str, characteristics: u32, data: Vec<u8>) -> u32 {
        let vs = len32(&data);
        self.add_section_sized(name, characteristics, data, vs)
    }

    /// Adds a section with an explicit virtual size (may exceed the data: zero-filled, like
    /// `.bss`); returns its RVA.
    pub fn add_section_sized(
        &mut self,
        name: &str,
        characteristics: u32,
        data: Vec<u8>,
        virtual_size: u32,
    ) -> u32 {
        let rva = self.next_rva();
        let mut n = [0u8; 8];
        for (d, s) in n.iter_mut().zip(name.bytes()) {
            *d = s;
        }
        self.sections.push(Section {
            name: n,
            rva,
            data,
            virtual_size,
            characteristics,
        });
        rva
    }

    /// Exports `name` at `rva`.
    pub fn export(&mut self, name: &str, rva: u32) -> &mut Self {
        self.exports
            .push((name.to_string(), ExportTarget::Rva(rva)));
        self
    }

    /// Exports `name` as a forwarder to `target` (e.g. `NTDLL.RtlFoo`).
    pub fn export_forwarder(&mut self, name: &str, target: &str) -> &mut Self {
        self.exports
            .push((name.to_string(), ExportTarget::Forward(target.to_string())));
        self
    }

    /// Adds an RSDS CodeView record.
    pub fn codeview(&mut self, guid: [u8; 16], age: u32, pdb_path: &str) -> &mut Self {
        self.codeview = Some((guid, age, pdb_path.to_string()));
        self
    }

    /// Adds a `.pdata` entry (x64: begin, end, unwind-info RVA; ARM64: begin, unwind data,
    /// `end` ignored).
    pub fn runtime_function(&mut self, begin: u32, end: u32, unwind: u32) -> &mut Self {
        self.pdata.push((begin, end, unwind));
        self
    }

    /// Adds a base relocation of type `typ` (3 = HIGHLOW, 10 = DIR64) at `rva`.
    pub fn relocation(&mut self, rva: u32, typ: u8) -> &mut Self {
        self.relocs.push((rva, typ));
        self
    }

    /// Adds a version resource (`.rsrc`: `RT_VERSION`, ID 1, language 0x409): a
    /// `VS_VERSIONINFO` whose `VS_FIXEDFILEINFO` holds `file_version` as file and product
    /// version (file type `VFT_DRV`, OS `VOS_NT_WINDOWS32`), with `strings` (`FileVersion`,
    /// `ProductName`, ...) in a `040904b0` string table.
    pub fn version_resource(
        &mut self,
        file_version: [u16; 4],
        strings: &[(&str, &str)],
    ) -> &mut Self {
        self.version = Some((
            file_version,
            strings
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        ));
        self
    }

    /// Builds the image in file layout.
    pub fn build(&self) -> Vec<u8> {
        self.assemble(false)
    }

    /// Builds the image as the loader maps it (sections at their RVAs, `SizeOfImage` bytes).
    pub fn build_mapped(&self) -> Vec<u8> {
        self.assemble(true)
    }

    fn generated_sections(&self) -> (Vec<Section>, [(u32, u32); 16]) {
        let mut all = self.sections.clone();
        let mut dirs = [(0u32, 0u32); 16];
        let mut next = self.next_rva();
        let push = |next: &mut u32, all: &mut Vec<Section>, name: &[u8], data: Vec<u8>, ch: u32| {
            let rva = *next;
            let mut n = [0u8; 8];
            for (d, s) in n.iter_mut().zip(name) {
                *d = *s;
            }
            let vs = len32(&data);
            all.push(Section {
                name: n,
                rva,
                data,
                virtual_size: vs,
                characteristics: ch,
            });
            *next = align(rva.saturating_add(vs.max(1)), SECTION_ALIGN);
        };
        if !self.exports.is_empty() {
            let rva = next;
            let data = self.export_section(rva);
            let size = len32(&data);
            push(&mut next, &mut all, b".edata", data, Self::RDATA);
            dirs[0] = (rva, size);
        }
        if let Some((guid, age, path)) = &self.codeview {
            let rva = next;
            let mut d = Vec::new();
            let mut cv = Vec::new();
            cv.extend_from_slice(b"RSDS");
            cv.extend_from_slice(guid);
            put32(&mut cv, *age);
            cv.extend_from_slice(path.as_bytes());
            cv.push(0);
            put32(&mut d, 0); // characteristics
            put32(&mut d, self.timestamp);
            put16(&mut d, 0);
            put16(&mut d, 0);
            put32(&mut d, 2); // CODEVIEW
            put32(&mut d, len32(&cv));
            put32(&mut d, rva.saturating_add(28)); // AddressOfRawData
            put32(&mut d, 0); // PointerToRawData: patched below once the file layout is known
            d.extend_from_slice(&cv);
            push(&mut next, &mut all, b".debug", d, Self::RDATA);
            dirs[6] = (rva, 28);
        }
        if !self.pdata.is_empty() {
            let rva = next;
            let mut d = Vec::new();
            let mut p = self.pdata.clone();
            p.sort_unstable();
            for (b, e, u) in p {
                put32(&mut d, b);
                if self.machine != 0xaa64 {
                    put32(&mut d, e);
                }
                put32(&mut d, u);
            }
            let size = len32(&d);
            push(&mut next, &mut all, b".pdata", d, Self::RDATA);
            dirs[3] = (rva, size);
        }
        if let Some((v, strings)) = &self.version {
            let rva = next;
            let d = resource_section(rva, *v, strings);
            let size = len32(&d);
            push(&mut next, &mut all, b".rsrc", d, Self::RDATA);
            dirs[2] = (rva, size);
        }
        if !self.relocs.is_empty() {
            let rva = next;
            let mut r = self.relocs.clone();
            r.sort_unstable();
            let mut d = Vec::new();
            let mut i = 0;
            while let Some(&(first, _)) = r.get(i) {
                let page = first & !0xfff;
                let block: Vec<(u32, u8)> = r
                    .iter()
                    .skip(i)
                    .take_while(|(a, _)| a & !0xfff == page)
                    .copied()
                    .collect();
                i = i.saturating_add(block.len());
                let mut n = u32::try_from(block.len()).unwrap_or(0);
                let pad = n % 2 == 1;
                if pad {
                    n = n.saturating_add(1);
                }
                put32(&mut d, page);
                put32(&mut d, 8u32.saturating_add(n.saturating_mul(2)));
                for (a, t) in block {
                    put16(
                        &mut d,
                        (u16::from(t & 0xf) << 12) | u16::try_from(a & 0xfff).unwrap_or(0),
                    );
                }
                if pad {
                    put16(&mut d, 0);
                }
            }
            let size = len32(&d);
            push(&mut next, &mut all, b".reloc", d, Self::DISCARDABLE);
            dirs[5] = (rva, size);
        }
        (all, dirs)
    }

    fn export_section(&self, rva: u32) -> Vec<u8> {
        let n = u32::try_from(self.exports.len()).unwrap_or(0);
        let mut sorted: Vec<(usize, &String)> =
            self.exports.iter().map(|(n, _)| n).enumerate().collect();
        sorted.sort_by(|a, b| a.1.as_bytes().cmp(b.1.as_bytes()));
        let funcs_at = rva.saturating_add(40);
        let names_at = funcs_at.saturating_add(n.saturating_mul(4));
        let ords_at = names_at.saturating_add(n.saturating_mul(4));
        let strings_at = ords_at.saturating_add(n.saturating_mul(2));
        // String pool: dll name, export names, forwarder strings.
        let mut pool = Vec::new();
        let add_str = |pool: &mut Vec<u8>, s: &str| -> u32 {
            let at = strings_at.saturating_add(len32(pool));
            pool.extend_from_slice(s.as_bytes());
            pool.push(0);
            at
        };
        let dll = add_str(&mut pool, &self.dll_name);
        let name_rvas: Vec<u32> = self
            .exports
            .iter()
            .map(|(nm, _)| add_str(&mut pool, nm))
            .collect();
        let func_rvas: Vec<u32> = self
            .exports
            .iter()
            .map(|(_, t)| match t {
                ExportTarget::Rva(r) => *r,
                ExportTarget::Forward(s) => add_str(&mut pool, s),
            })
            .collect();
        let mut d = Vec::new();
        put32(&mut d, 0);
        put32(&mut d, self.timestamp);
        put16(&mut d, 0);
        put16(&mut d, 0);
        put32(&mut d, dll);
        put32(&mut d, 1); // ordinal base
        put32(&mut d, n);
        put32(&mut d, n);
        put32(&mut d, funcs_at);
        put32(&mut d, names_at);
        put32(&mut d, ords_at);
        for f in &func_rvas {
            put32(&mut d, *f);
        }
        for (i, _) in &sorted {
            put32(&mut d, name_rvas.get(*i).copied().unwrap_or(0));
        }
        for (i, _) in &sorted {
            put16(&mut d, u16::try_from(*i).unwrap_or(0));
        }
        d.extend_from_slice(&pool);
        d
    }

    fn assemble(&self, mapped: bool) -> Vec<u8> {
        let (sections, dirs) = self.generated_sections();
        let nsec = u16::try_from(sections.len()).unwrap_or(u16::MAX);
        let opt_size: u16 = if self.is64 { 112 + 128 } else { 96 + 128 };
        let headers_len = 0x40u32
            .saturating_add(24)
            .saturating_add(u32::from(opt_size))
            .saturating_add(u32::from(nsec).saturating_mul(40));
        let size_of_headers = align(headers_len, FILE_ALIGN);
        // File layout of the raw data.
        let mut raw_ptrs = Vec::new();
        let mut file_pos = size_of_headers;
        for s in &sections {
            let raw = align(len32(&s.data), FILE_ALIGN);
            raw_ptrs.push(if raw == 0 { 0 } else { file_pos });
            file_pos = file_pos.saturating_add(raw);
        }
        let size_of_image = sections.last().map_or(SECTION_ALIGN, |s| {
            align(s.rva.saturating_add(s.virtual_size.max(1)), SECTION_ALIGN)
        });
        let code_size: u32 = sections
            .iter()
            .filter(|s| s.characteristics & 0x20 != 0)
            .map(|s| align(len32(&s.data), FILE_ALIGN))
            .fold(0, u32::saturating_add);
        let base_of_code = sections
            .iter()
            .find(|s| s.characteristics & 0x20 != 0)
            .map_or(0, |s| s.rva);

        let mut h = Vec::new();
        // DOS header.
        h.extend_from_slice(b"MZ");
        h.resize(0x3c, 0);
        put32(&mut h, 0x40);
        // NT headers.
        h.extend_from_slice(b"PE\0\0");
        put16(&mut h, self.machine);
        put16(&mut h, nsec);
        put32(&mut h, self.timestamp);
        put32(&mut h, 0);
        put32(&mut h, 0);
        put16(&mut h, opt_size);
        put16(&mut h, if self.is64 { 0x2022 } else { 0x2102 }); // EXECUTABLE|DLL|LARGE_ADDRESS/32BIT
        put16(&mut h, if self.is64 { 0x20b } else { 0x10b });
        h.push(14);
        h.push(0);
        put32(&mut h, code_size);
        put32(&mut h, 0);
        put32(&mut h, 0);
        put32(&mut h, self.entry);
        put32(&mut h, base_of_code);
        if self.is64 {
            put64(&mut h, self.image_base);
        } else {
            put32(&mut h, 0); // base of data
            put32(&mut h, u32::try_from(self.image_base).unwrap_or(0x40_0000));
        }
        put32(&mut h, SECTION_ALIGN);
        put32(&mut h, FILE_ALIGN);
        for v in [6u16, 0, 0, 0, 6, 0] {
            put16(&mut h, v);
        }
        put32(&mut h, 0);
        put32(&mut h, size_of_image);
        put32(&mut h, size_of_headers);
        put32(&mut h, 0);
        put16(&mut h, 3); // console
        put16(&mut h, 0x8160); // DYNAMIC_BASE|NX|HIGH_ENTROPY|TS_AWARE
        for v in [0x10_0000u64, 0x1000, 0x10_0000, 0x1000] {
            if self.is64 {
                put64(&mut h, v);
            } else {
                put32(&mut h, u32::try_from(v).unwrap_or(0));
            }
        }
        put32(&mut h, 0);
        put32(&mut h, 16);
        for (va, size) in dirs {
            put32(&mut h, va);
            put32(&mut h, size);
        }
        for (s, ptr) in sections.iter().zip(&raw_ptrs) {
            h.extend_from_slice(&s.name);
            put32(&mut h, s.virtual_size);
            put32(&mut h, s.rva);
            put32(&mut h, align(len32(&s.data), FILE_ALIGN));
            put32(&mut h, *ptr);
            put32(&mut h, 0);
            put32(&mut h, 0);
            put16(&mut h, 0);
            put16(&mut h, 0);
            put32(&mut h, s.characteristics);
        }
        h.resize(usize::try_from(size_of_headers).unwrap_or(0), 0);

        let mut out = h;
        for (s, ptr) in sections.iter().zip(&raw_ptrs) {
            let mut data = s.data.clone();
            if s.name.starts_with(b".debug") {
                // Patch PointerToRawData of the debug entry.
                let file_off = ptr.saturating_add(28);
                if let Some(slot) = data.get_mut(24..28) {
                    slot.copy_from_slice(&file_off.to_le_bytes());
                }
            }
            let at = if mapped { s.rva } else { *ptr };
            let at = usize::try_from(at).unwrap_or(0);
            let end = at.saturating_add(data.len());
            if out.len() < end {
                out.resize(end, 0);
            }
            if let Some(dst) = out.get_mut(at..end) {
                dst.copy_from_slice(&data);
            }
        }
        let total = if mapped { size_of_image } else { file_pos };
        let total = usize::try_from(total).unwrap_or(0);
        if out.len() < total {
            out.resize(total, 0);
        }
        out
    }
}

fn utf16z(s: &str) -> Vec<u8> {
    let mut v: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
    v.extend([0, 0]);
    v
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

/// A `VS_VERSIONINFO`-family block: `wLength`, `wValueLength`, `wType`, `szKey`, padding, the
/// value, padding, the children (each 4-aligned).
fn vs_block(key: &str, value: &[u8], value_len: u16, text: bool, children: &[Vec<u8>]) -> Vec<u8> {
    let mut b = vec![0, 0];
    put16(&mut b, value_len);
    put16(&mut b, u16::from(text));
    b.extend(utf16z(key));
    pad4(&mut b);
    b.extend_from_slice(value);
    for c in children {
        pad4(&mut b);
        b.extend_from_slice(c);
    }
    let len = u16::try_from(b.len()).unwrap_or(u16::MAX).to_le_bytes();
    if let Some(d) = b.get_mut(..2) {
        d.copy_from_slice(&len);
    }
    b
}

/// The `.rsrc` section at `rva`: a three-level directory (type `RT_VERSION`, ID 1, language
/// 0x409) to one data entry, then the `VS_VERSIONINFO`.
fn resource_section(rva: u32, v: [u16; 4], strings: &[(String, String)]) -> Vec<u8> {
    let [a, b, c, e] = v;
    let ms = (u32::from(a) << 16) | u32::from(b);
    let ls = (u32::from(c) << 16) | u32::from(e);
    let mut fixed = Vec::new();
    for x in [
        0xFEEF_04BD, // dwSignature
        0x0001_0000, // dwStrucVersion
        ms,
        ls, // dwFileVersionMS/LS
        ms,
        ls,       // dwProductVersionMS/LS
        0x3f,     // dwFileFlagsMask
        0,        // dwFileFlags
        0x4_0004, // dwFileOS: VOS_NT_WINDOWS32
        3,        // dwFileType: VFT_DRV
        7,        // dwFileSubtype: VFT2_DRV_SYSTEM
        0,
        0, // dwFileDateMS/LS
    ] {
        put32(&mut fixed, x);
    }
    let strings: Vec<Vec<u8>> = strings
        .iter()
        .map(|(k, val)| {
            let chars = u16::try_from(val.encode_utf16().count().saturating_add(1)).unwrap_or(0);
            vs_block(k, &utf16z(val), chars, true, &[])
        })
        .collect();
    let table = vs_block("040904b0", &[], 0, true, &strings);
    let sfi = vs_block("StringFileInfo", &[], 0, true, &[table]);
    let var = vs_block("Translation", &[0x09, 0x04, 0xb0, 0x04], 4, false, &[]);
    let vfi = vs_block("VarFileInfo", &[], 0, true, &[var]);
    let info = vs_block("VS_VERSION_INFO", &fixed, 52, false, &[sfi, vfi]);

    // Directories (16 bytes + one 8-byte entry each) at 0, 0x18, 0x30; the data entry at 0x48;
    // the VS_VERSIONINFO at 0x58.
    let mut d = Vec::new();
    for (id, next) in [(16u32, 0x18u32), (1, 0x30)] {
        d.extend([0u8; 12]);
        put16(&mut d, 0); // named entries
        put16(&mut d, 1); // ID entries
        put32(&mut d, id);
        put32(&mut d, 0x8000_0000 | next);
    }
    d.extend([0u8; 12]);
    put16(&mut d, 0);
    put16(&mut d, 1);
    put32(&mut d, 0x409);
    put32(&mut d, 0x48); // the data entry (no high bit)
    put32(&mut d, rva.saturating_add(0x58)); // OffsetToData: an RVA
    put32(&mut d, len32(&info));
    put32(&mut d, 0); // CodePage
    put32(&mut d, 0);
    d.resize(0x58, 0);
    d.extend(info);
    d
}
