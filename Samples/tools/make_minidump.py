#!/usr/bin/env python3
"""Write a small, synthetic Windows minidump that *looks like* an LSASS dump.

EXTRIAGE SYNTHETIC SAMPLE GENERATOR - the output contains NO real process memory and
NO credentials. It only has the structures a detector reads (MINIDUMP_HEADER, the
stream directory, a ModuleListStream whose first module is lsass.exe, a
SystemInfoStream and a Memory64ListStream) followed by pseudo-random filler bytes
drawn from a seeded PRNG, so the same arguments always give the same bytes.

Layout (all little-endian, offsets from the start of the file):

    0x00  MINIDUMP_HEADER (32 bytes)
            Signature          'MDMP' (0x504D444D)
            Version            0x0000A793 (low word = MINIDUMP_VERSION)
            NumberOfStreams    3
            StreamDirectoryRva 0x20
            CheckSum           0
            TimeDateStamp      Unix seconds of the dump
            Flags              uint64 (MiniDumpWithFullMemory | ...)
    0x20  MINIDUMP_DIRECTORY[3] (12 bytes each):
            SystemInfoStream (7), ModuleListStream (4), Memory64ListStream (9)
    ....  MINIDUMP_SYSTEM_INFO (56 bytes), then its CSDVersion MINIDUMP_STRING
    ....  MINIDUMP_MODULE_LIST: NumberOfModules + MINIDUMP_MODULE[n] (108 bytes each)
    ....  MINIDUMP_STRING module names (ULONG32 byte length + UTF-16LE + NUL)
    ....  MINIDUMP_MEMORY64_LIST: one descriptor covering the filler region
    ....  filler: pseudo-random bytes up to the requested size

Reference: https://learn.microsoft.com/en-us/windows/win32/api/minidumpapiset/ns-minidumpapiset-minidump_header

Usage:
    make_minidump.py OUT --time 2021-03-03T07:47:12Z --size 40960 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as _dt
import random
import struct
import sys

MDMP_SIGNATURE = 0x504D444D
MDMP_VERSION = 0x0000A793
STREAM_MODULE_LIST = 4
STREAM_SYSTEM_INFO = 7
STREAM_MEMORY64_LIST = 9

# MiniDumpWithFullMemory | MiniDumpWithHandleData | MiniDumpWithUnloadedModules |
# MiniDumpWithFullMemoryInfo | MiniDumpWithThreadInfo | MiniDumpWithTokenInformation
DEFAULT_FLAGS = 0x2 | 0x4 | 0x20 | 0x800 | 0x1000 | 0x40000

# (path, base address, image size, PE timestamp, file version a.b.c.d)
DEFAULT_MODULES = [
    (r"C:\Windows\System32\lsass.exe", 0x00007FF6A1B20000, 0x0000E000, 0x5C8B7A1E, (10, 0, 14393, 0)),
    (r"C:\Windows\SYSTEM32\ntdll.dll", 0x00007FFD8C2A0000, 0x001D1000, 0x5FF4D9C2, (10, 0, 14393, 4169)),
    (r"C:\Windows\System32\KERNEL32.DLL", 0x00007FFD8A6E0000, 0x000AE000, 0x5F86B2E0, (10, 0, 14393, 3986)),
    (r"C:\Windows\system32\lsasrv.dll", 0x00007FFD876F0000, 0x00185000, 0x6010A4B3, (10, 0, 14393, 4225)),
    (r"C:\Windows\system32\msv1_0.dll", 0x00007FFD86F10000, 0x00074000, 0x5FF4DB0C, (10, 0, 14393, 4169)),
    (r"C:\Windows\system32\wdigest.DLL", 0x00007FFD86EC0000, 0x0003D000, 0x57899B1F, (10, 0, 14393, 0)),
]


def minidump_string(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data)) + data + b"\x00\x00"


def vs_fixedfileinfo(version: tuple[int, int, int, int], is_exe: bool) -> bytes:
    a, b, c, d = version
    ms = (a << 16) | b
    ls = (c << 16) | d
    return struct.pack(
        "<13I",
        0xFEEF04BD,  # dwSignature
        0x00010000,  # dwStrucVersion
        ms, ls,      # dwFileVersionMS/LS
        ms, ls,      # dwProductVersionMS/LS
        0x3F,        # dwFileFlagsMask
        0,           # dwFileFlags
        0x00040004,  # dwFileOS = VOS_NT_WINDOWS32
        1 if is_exe else 2,  # dwFileType: 1 = VFT_APP, 2 = VFT_DLL
        0,           # dwFileSubtype
        0, 0,        # dwFileDateMS/LS
    )


def build(timestamp: int, size: int, seed: int, modules=None, flags: int = DEFAULT_FLAGS,
          build_number: int = 14393) -> bytes:
    modules = modules or DEFAULT_MODULES
    rng = random.Random(seed)
    n_streams = 3
    header_size = 32
    dir_size = 12 * n_streams

    # --- SystemInfoStream -------------------------------------------------------
    sysinfo_rva = header_size + dir_size
    sysinfo_size = 56
    csd_rva = sysinfo_rva + sysinfo_size
    csd = minidump_string("")
    cpu_info = struct.pack("<3I", 0x756E6547, 0x49656E69, 0x6C65746E)  # "GenuineIntel"
    cpu_info += struct.pack("<3I", 0x000306F2, 0xBFEBFBFF, 0x00000000)  # VersionInformation, FeatureInformation, AMDExtended
    sysinfo = struct.pack(
        "<HHHBBIIIIIHH",
        9,        # ProcessorArchitecture = PROCESSOR_ARCHITECTURE_AMD64
        6,        # ProcessorLevel
        0x3F02,   # ProcessorRevision
        4,        # NumberOfProcessors
        3,        # ProductType = VER_NT_SERVER
        10, 0, build_number,  # Major, Minor, Build (Windows Server 2016 = 14393)
        2,        # PlatformId = VER_PLATFORM_WIN32_NT
        csd_rva,  # CSDVersionRva
        0x0110,   # SuiteMask (VER_SUITE_TERMINAL | VER_SUITE_SINGLEUSERTS)
        0,        # Reserved2
    ) + cpu_info
    assert len(sysinfo) == sysinfo_size, len(sysinfo)

    # --- ModuleListStream -------------------------------------------------------
    modlist_rva = csd_rva + len(csd)
    modlist_rva = (modlist_rva + 3) & ~3
    modlist_size = 4 + 108 * len(modules)
    names_rva = modlist_rva + modlist_size
    names = b""
    module_entries = b""
    for path, base, image_size, pe_time, version in modules:
        name_rva = names_rva + len(names)
        names += minidump_string(path)
        while len(names) % 4:
            names += b"\x00"
        entry = struct.pack("<QIIII", base, image_size, rng.getrandbits(32), pe_time, name_rva)
        entry += vs_fixedfileinfo(version, path.lower().endswith(".exe"))
        entry += struct.pack("<II", 0, 0)  # CvRecord (absent)
        entry += struct.pack("<II", 0, 0)  # MiscRecord (absent)
        entry += struct.pack("<QQ", 0, 0)  # Reserved0, Reserved1
        assert len(entry) == 108, len(entry)
        module_entries += entry
    modlist = struct.pack("<I", len(modules)) + module_entries

    # --- Memory64ListStream -----------------------------------------------------
    mem_rva = names_rva + len(names)
    mem_size = 16 + 16  # NumberOfMemoryRanges, BaseRva, one MINIDUMP_MEMORY_DESCRIPTOR64
    filler_rva = mem_rva + mem_size
    filler_len = max(0, size - filler_rva)
    mem = struct.pack("<QQ", 1, filler_rva) + struct.pack("<QQ", modules[0][1], filler_len)

    # --- header + directory -----------------------------------------------------
    header = struct.pack("<IIIIIIQ", MDMP_SIGNATURE, MDMP_VERSION, n_streams, header_size, 0,
                         timestamp, flags)
    directory = struct.pack("<III", STREAM_SYSTEM_INFO, sysinfo_size, sysinfo_rva)
    directory += struct.pack("<III", STREAM_MODULE_LIST, modlist_size, modlist_rva)
    directory += struct.pack("<III", STREAM_MEMORY64_LIST, mem_size, mem_rva)

    out = bytearray(header + directory + sysinfo + csd)
    out += b"\x00" * (modlist_rva - len(out))
    out += modlist + names + mem
    assert len(out) == filler_rva, (len(out), filler_rva)
    # Filler: mostly zero pages with pseudo-random runs, so it neither compresses to
    # nothing nor resembles real memory. Nothing here is taken from a real process.
    filler = bytearray(filler_len)
    pos = 0
    while pos < filler_len:
        run = min(filler_len - pos, rng.randint(64, 1024))
        if rng.random() < 0.5:
            filler[pos:pos + run] = rng.randbytes(run)
        pos += run + rng.randint(0, 512)
    out += filler[:filler_len]
    return bytes(out[:max(size, filler_rva)])


def parse_time(text: str) -> int:
    dt = _dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
    return int(dt.timestamp())


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--time", required=True, help="dump time, UTC, e.g. 2021-03-03T07:47:12Z")
    ap.add_argument("--size", type=int, default=40960)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    data = build(parse_time(args.time), args.size, args.seed)
    with open(args.out, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
