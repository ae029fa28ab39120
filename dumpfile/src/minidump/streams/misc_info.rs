//! `MINIDUMP_MISC_INFO` 1 to 5 (MiscInfoStream): process times, power, time zone, XSTATE.

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::minidump::stream_type;
use crate::{Error, Minidump, raw};

/// `MINIDUMP_MISC_INFO` (versions 1 to 5), decoded. Fields are `None` when the version does not
/// carry them or its flags say they are invalid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MiscInfo {
    /// `SizeOfInfo` (24, 44, 232, 832, 1364).
    pub size_of_info: u32,
    /// Version 1..5 derived from the size.
    pub version: u8,
    /// `Flags1`.
    pub flags1: u32,
    /// Process id.
    pub process_id: Option<u32>,
    /// Process creation time (`time_t`).
    pub process_create_time: Option<u32>,
    /// User time, seconds.
    pub process_user_time: Option<u32>,
    /// Kernel time, seconds.
    pub process_kernel_time: Option<u32>,
    /// Processor power information (v2+).
    pub processor_power: Option<ProcessorPowerInfo>,
    /// Integrity level (v3+).
    pub process_integrity_level: Option<u32>,
    /// Execute flags (v3+).
    pub process_execute_flags: Option<u32>,
    /// Protected process (v3+).
    pub protected_process: Option<u32>,
    /// Time zone (v3+).
    pub time_zone: Option<TimeZone>,
    /// OS build string, e.g. "7601.23543.amd64fre.win7sp1_ldr.160902-0600" (v4+).
    pub build_string: Option<String>,
    /// Debugger build string (v4+).
    pub dbg_build_string: Option<String>,
    /// XSTATE configuration (v5+).
    pub xstate: Option<XstateConfig>,
    /// Process cookie (v5+).
    pub process_cookie: Option<u32>,
}

/// Processor power information from `MINIDUMP_MISC_INFO_2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessorPowerInfo {
    /// Max MHz.
    pub max_mhz: u32,
    /// Current MHz.
    pub current_mhz: u32,
    /// MHz limit.
    pub mhz_limit: u32,
    /// Max idle state.
    pub max_idle_state: u32,
    /// Current idle state.
    pub current_idle_state: u32,
}

/// Time zone of the dumping machine (`TIME_ZONE_INFORMATION` + id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone {
    /// `TIME_ZONE_ID_*` (0 unknown, 1 standard, 2 daylight).
    pub id: u32,
    /// Bias in minutes (UTC = local time + bias).
    pub bias: i32,
    /// Standard time name.
    pub standard_name: String,
    /// Standard bias.
    pub standard_bias: i32,
    /// Transition date to standard time.
    pub standard_date: raw::SystemTime,
    /// Daylight time name.
    pub daylight_name: String,
    /// Daylight bias.
    pub daylight_bias: i32,
    /// Transition date to daylight time.
    pub daylight_date: raw::SystemTime,
    /// The structure as stored (the name buffers may hold bytes after the terminating NUL).
    pub raw: raw::TimeZoneInformation,
}

/// XSTATE layout from `MINIDUMP_MISC_INFO_5`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XstateConfig {
    /// Size of a context with the XSAVE area.
    pub context_size: u32,
    /// Enabled features mask.
    pub enabled_features: u64,
    /// (feature bit, offset, size) of each enabled feature.
    pub features: Vec<(u8, u32, u32)>,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The MiscInfo stream, any version.
    pub fn misc_info(&self) -> Result<Option<MiscInfo>, Error> {
        let st = stream_type::MISC_INFO;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (v1, rest) = raw::MiscInfo1::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_MISC_INFO"))?;
        let size_of_info = v1.size_of_info.get();
        // Only trust as many bytes as both the declared size and the stream hold.
        let avail = usize::try_from(size_of_info)
            .unwrap_or(usize::MAX)
            .min(b.len());
        let rest = rest.get(..avail.saturating_sub(24)).unwrap_or(&[]);
        let f = v1.flags1.get();
        let mut m = MiscInfo {
            size_of_info,
            version: 1,
            flags1: f,
            ..MiscInfo::default()
        };
        if f & 0x1 != 0 {
            m.process_id = Some(v1.process_id.get());
        }
        if f & 0x2 != 0 {
            m.process_create_time = Some(v1.process_create_time.get());
            m.process_user_time = Some(v1.process_user_time.get());
            m.process_kernel_time = Some(v1.process_kernel_time.get());
        }
        let Ok((v2, rest)) = raw::MiscInfo2Ext::read_from_prefix(rest) else {
            return Ok(Some(m));
        };
        m.version = 2;
        if f & 0x4 != 0 {
            m.processor_power = Some(ProcessorPowerInfo {
                max_mhz: v2.processor_max_mhz.get(),
                current_mhz: v2.processor_current_mhz.get(),
                mhz_limit: v2.processor_mhz_limit.get(),
                max_idle_state: v2.processor_max_idle_state.get(),
                current_idle_state: v2.processor_current_idle_state.get(),
            });
        }
        let Ok((v3, rest)) = raw::MiscInfo3Ext::read_from_prefix(rest) else {
            return Ok(Some(m));
        };
        m.version = 3;
        if f & 0x10 != 0 {
            m.process_integrity_level = Some(v3.process_integrity_level.get());
        }
        if f & 0x20 != 0 {
            m.process_execute_flags = Some(v3.process_execute_flags.get());
        }
        if f & 0x80 != 0 {
            m.protected_process = Some(v3.protected_process.get());
        }
        if f & 0x40 != 0 {
            let tz = &v3.time_zone;
            m.time_zone = Some(TimeZone {
                id: v3.time_zone_id.get(),
                bias: tz.bias.get(),
                standard_name: u16_string(&tz.standard_name),
                standard_bias: tz.standard_bias.get(),
                standard_date: tz.standard_date,
                daylight_name: u16_string(&tz.daylight_name),
                daylight_bias: tz.daylight_bias.get(),
                daylight_date: tz.daylight_date,
                raw: *tz,
            });
        }
        let Ok((v4, rest)) = raw::MiscInfo4Ext::read_from_prefix(rest) else {
            return Ok(Some(m));
        };
        m.version = 4;
        if f & 0x100 != 0 {
            m.build_string = Some(u16_string(&v4.build_string));
            m.dbg_build_string = Some(u16_string(&v4.dbg_bld_str));
        }
        let Ok((v5, _)) = raw::MiscInfo5Ext::read_from_prefix(rest) else {
            return Ok(Some(m));
        };
        m.version = 5;
        if v5.xstate_size_of_info.get() != 0 {
            let mask = v5.xstate_enabled_features.get();
            let features = v5
                .xstate_features
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    u32::try_from(*i)
                        .ok()
                        .is_some_and(|i| mask & (1u64 << i) != 0)
                })
                .map(|(i, x)| (u8::try_from(i).unwrap_or(0), x.offset.get(), x.size.get()))
                .collect();
            m.xstate = Some(XstateConfig {
                context_size: v5.xstate_context_size.get(),
                enabled_features: mask,
                features,
            });
        }
        if f & 0x200 != 0 {
            m.process_cookie = Some(v5.process_cookie.get());
        }
        Ok(Some(m))
    }
}
