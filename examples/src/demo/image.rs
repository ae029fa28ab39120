//! The demo's `D4C.exe` image: code, read-only data, RTTI and unwind data.

use pe_sections::synth::PeBuilder;

use super::build::*;

/// x64 code of D4C.exe's `.text` (RVA 0x1000, 0x15ec bytes): three functions, the rest `int3`.
fn text_section() -> Vec<u8> {
    let mut t = vec![0xccu8; 0x15ec];
    let mut put = |rva: u32, bytes: &[u8]| {
        let off = usize::try_from(rva.saturating_sub(0x1000)).unwrap_or(usize::MAX);
        if let Some(dst) = t.get_mut(off..off.saturating_add(bytes.len())) {
            dst.copy_from_slice(bytes);
        }
    };
    let nops =
        |from: u32, to: u32| vec![0x90u8; usize::try_from(to.saturating_sub(from)).unwrap_or(0)];
    let rel32 = |from_next: u32, to: u32| {
        i32::try_from(i64::from(to).saturating_sub(i64::from(from_next)))
            .unwrap_or(0)
            .to_le_bytes()
    };
    // main (0x1300..0x1400): sub rsp,28h; ...; call [WaitForSingleObjectEx] at 0x13b3.
    put(0x1300, &[0x48, 0x83, 0xec, 0x28]);
    put(0x1304, &nops(0x1304, 0x13b3));
    let mut call = vec![0xff, 0x15];
    call.extend_from_slice(&rel32(0x13b9, 0x3008));
    put(0x13b3, &call);
    put(0x13b9, &nops(0x13b9, 0x13fa));
    put(0x13fa, &[0x48, 0x83, 0xc4, 0x28, 0xc3]);
    // d4c::Record::Record (0x1500..0x1510): lea rax, [vtable]; mov [rcx], rax; ret.
    let mut ctor = vec![0x48, 0x8d, 0x05];
    ctor.extend_from_slice(&rel32(CONSTRUCTOR_RVA.saturating_add(7), VTABLE_RVA));
    ctor.extend_from_slice(&[0x48, 0x89, 0x01, 0xc3]);
    put(CONSTRUCTOR_RVA, &ctor);
    // FUN_1400015a0 (0x15a0..0x16a0): the leak loop.
    put(0x15a0, &[0x48, 0x83, 0xec, 0x28]);
    put(0x15a4, &nops(0x15a4, LEA_RVA));
    // call [malloc] -> returns to 0x1612.
    let mut call = vec![0xff, 0x15];
    call.extend_from_slice(&rel32(MALLOC_RETURN_RVA, 0x3010));
    put(MALLOC_RETURN_RVA.saturating_sub(6), &call);
    // lea r8, [rip + disp32] -> the format string.
    let mut lea = vec![0x4c, 0x8d, 0x05];
    lea.extend_from_slice(&rel32(LEA_RVA.saturating_add(7), FORMAT_RVA));
    put(LEA_RVA, &lea);
    put(0x1624, &nops(0x1624, 0x167a));
    // call [Sleep] -> returns to 0x1680.
    let mut call = vec![0xff, 0x15];
    call.extend_from_slice(&rel32(SLEEP_RETURN_RVA, 0x3000));
    put(0x167a, &call);
    // jmp back to the loop head.
    let mut jmp = vec![0xe9];
    jmp.extend_from_slice(&rel32(SLEEP_RETURN_RVA.saturating_add(5), 0x15a4));
    put(SLEEP_RETURN_RVA, &jmp);
    put(0x1685, &nops(0x1685, 0x169a));
    put(0x169a, &[0x48, 0x83, 0xc4, 0x28, 0xc3]);
    // The CRT start-up (0x1a00..0x1a60): calls main, returns to 0x1a40.
    put(0x1a00, &[0x48, 0x83, 0xec, 0x28]);
    put(0x1a04, &nops(0x1a04, 0x1a3b));
    let mut call = vec![0xe8];
    call.extend_from_slice(&rel32(0x1a40, 0x1300));
    put(0x1a3b, &call);
    put(0x1a40, &nops(0x1a40, 0x1a5a));
    put(0x1a5a, &[0x48, 0x83, 0xc4, 0x28, 0xc3]);
    t
}

/// D4C.exe's `.rdata` (RVA 0x3000, 0x343a bytes): IAT slots, strings, unwind data.
fn rdata_section() -> Vec<u8> {
    let mut r = vec![0u8; 0x343a];
    let mut put = |rva: u32, bytes: &[u8]| {
        let off = usize::try_from(rva.saturating_sub(0x3000)).unwrap_or(usize::MAX);
        if let Some(dst) = r.get_mut(off..off.saturating_add(bytes.len())) {
            dst.copy_from_slice(bytes);
        }
    };
    put(0x3690, b"Count: %d\n\0");
    put(FORMAT_RVA, FORMAT.as_bytes());
    put(0x36cc, b"%s\0");
    put(0x36d0, b"==> Total allocated size: 0x%08x\n\0");
    put(0x36f8, b"==> Slow Down...\n\0");
    // MSVC x64 RTTI: complete object locator (signature 1, RVAs), then the vtable.
    let mut col = Vec::new();
    for v in [1u32, 0, 0, TYPE_DESCRIPTOR_RVA, 0, COL_RVA] {
        col.extend_from_slice(&v.to_le_bytes());
    }
    put(COL_RVA, &col);
    put(
        VTABLE_RVA.saturating_sub(8),
        &D4C_BASE.saturating_add(u64::from(COL_RVA)).to_le_bytes(),
    );
    let ctor = D4C_BASE.saturating_add(u64::from(CONSTRUCTOR_RVA));
    put(VTABLE_RVA, &ctor.to_le_bytes());
    put(VTABLE_RVA.saturating_add(8), &ctor.to_le_bytes());
    put(LEAF_UNWIND_RVA, &[0x01, 0x00, 0x00, 0x00]);
    // UNWIND_INFO v1: prolog 4 bytes, one code: at 4, UWOP_ALLOC_SMALL (0x28).
    put(
        UNWIND_RVA,
        &[0x01, 0x04, 0x01, 0x00, 0x04, 0x42, 0x00, 0x00],
    );
    r
}

/// The mapped D4C.exe image.
pub fn d4c_image() -> Vec<u8> {
    let mut b = PeBuilder::x64();
    b.image_base(D4C_BASE)
        .timestamp(0x6300_0000)
        .entry(0x1a00)
        .dll_name("D4C.exe");
    b.add_section(".text", PeBuilder::CODE, text_section());
    b.add_section(".rdata", PeBuilder::RDATA, rdata_section());
    let mut data = vec![0u8; 0x638];
    // The RTTI type descriptor: type_info vtable (none here), spare, decorated name.
    let name = b".?AVRecord@d4c@@\0";
    let at = usize::try_from(TYPE_DESCRIPTOR_RVA.saturating_sub(0x7000)).unwrap_or(0);
    if let Some(d) =
        data.get_mut(at.saturating_add(16)..at.saturating_add(16).saturating_add(name.len()))
    {
        d.copy_from_slice(name);
    }
    b.add_section(".data", PeBuilder::DATA, data);
    b.runtime_function(0x1300, 0x1400, UNWIND_RVA)
        .runtime_function(LEAK_FUNCTION_RVA, 0x16a0, UNWIND_RVA)
        .runtime_function(0x1a00, 0x1a60, UNWIND_RVA)
        .runtime_function(
            CONSTRUCTOR_RVA,
            CONSTRUCTOR_RVA.saturating_add(0x10),
            LEAF_UNWIND_RVA,
        );
    b.build_mapped()
}
