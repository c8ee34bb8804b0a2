#!/usr/bin/env python3
"""A Windows prefetch (SCCA) writer, standard library only, deterministic.

Writes format 17 (XP/2003), 23 (Vista/7, Server 2008 R2) and 30 (Windows 10, Server 2016+):
file header, file information (run count, one or eight last run times), metrics entries, trace
chains, filename strings and one volume (device path, file references, directory strings).
Uncompressed only: Windows 10 stores format 30 MAM-compressed (LZXPRESS Huffman), which this
writer does not produce.

    python3 prefetch_writer.py SPEC.json OUT.pf

SPEC: {"version": 30, "executable": "PROCDUMP64.EXE", "hash": "1A2B3C4D", "run_count": 2,
       "last_runs": ["2021-03-03T07:46:58Z", ...], "files": ["\\\\VOLUME{...}\\\\WINDOWS\\\\SYSTEM32\\\\NTDLL.DLL", ...],
       "volume": "\\\\VOLUME{01d70fe1a2b3c4d5-5e6f7a8b}", "volume_serial": 1584364171,
       "volume_created": "2020-11-02T10:00:00Z", "truncate": null}
`truncate` cuts the written file to that many bytes (a damaged prefetch file for readers to record).
"""
from __future__ import annotations

import datetime as dt
import json
import struct
import sys

EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)
INFO_SIZE = {17: 68, 23: 156, 26: 220, 30: 220}
METRIC_SIZE = {17: 20, 23: 32, 26: 32, 30: 32}
TRACE_SIZE = {17: 12, 23: 12, 26: 12, 30: 8}
VOLUME_SIZE = {17: 40, 23: 104, 26: 104, 30: 96}


def filetime(text: str) -> int:
    delta = dt.datetime.fromisoformat(text.replace("Z", "+00:00")) - EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def utf16z(text: str) -> bytes:
    return (text + "\0").encode("utf-16-le")


def scca(spec: dict) -> bytes:
    version = spec["version"]
    files = spec["files"]
    info_end = 84 + INFO_SIZE[version]
    metrics = bytearray()
    names = bytearray()
    for index, name in enumerate(files):
        chars = len(name)
        if version == 17:
            metrics += struct.pack("<IIIII", index, 1, len(names), chars, 0x200)
        else:
            metrics += struct.pack("<IIIIIIQ", index, 1, 1, len(names), chars, 0x200, 0)
        names += utf16z(name)
    traces = bytearray()
    for index in range(len(files)):
        traces += struct.pack("<IBBH", 1, 2, 1, 1) if version == 30 else struct.pack("<IIBBH", 0xFFFFFFFF, 1, 2, 1, 1)
    metrics_offset = info_end
    trace_offset = metrics_offset + len(metrics)
    names_offset = trace_offset + len(traces)
    volume_offset = (names_offset + len(names) + 7) & ~7
    # One volume: its entry, the device path, the file references (version, count), the directory strings.
    device = spec.get("volume", "\\VOLUME{01d70fe1a2b3c4d5-5e6f7a8b}")
    entry_size = VOLUME_SIZE[version]
    device_offset = entry_size
    references_offset = (device_offset + len(utf16z(device)) + 7) & ~7
    references = struct.pack("<II", 1 if version == 17 else 3, 0)
    directories = sorted({name.rsplit("\\", 1)[0] for name in files if "\\" in name})
    directory_offset = references_offset + len(references)
    directory_blob = b"".join(struct.pack("<H", len(d)) + utf16z(d) for d in directories)
    entry = bytearray(entry_size)
    struct.pack_into("<IIQIIIIII", entry, 0, device_offset, len(device), filetime(spec.get("volume_created", "2020-11-02T10:00:00Z")),
                     spec.get("volume_serial", 0x5E6F7A8B), references_offset, len(references), directory_offset, len(directories), 0)
    volume = bytes(entry) + utf16z(device)
    volume += bytes(references_offset - len(volume)) + references + directory_blob
    total = volume_offset + len(volume)

    header = bytearray(info_end)
    struct.pack_into("<I4sII", header, 0, version, b"SCCA", 0x0F if version == 17 else 0x11, total)
    exe = spec["executable"].encode("utf-16-le")[:58]
    header[16:16 + len(exe)] = exe
    struct.pack_into("<I", header, 76, int(spec["hash"], 16))
    struct.pack_into("<IIIIIIIII", header, 84, metrics_offset, len(files), trace_offset, len(files), names_offset, len(names),
                     volume_offset, 1, len(volume))
    runs = [filetime(t) for t in spec["last_runs"]]
    if version == 17:
        struct.pack_into("<Q", header, 120, runs[0] if runs else 0)
        struct.pack_into("<I", header, 144, spec["run_count"])
    elif version == 23:
        struct.pack_into("<Q", header, 128, runs[0] if runs else 0)
        struct.pack_into("<I", header, 152, spec["run_count"])
    else:
        for index, run in enumerate(runs[:8]):
            struct.pack_into("<Q", header, 128 + 8 * index, run)
        struct.pack_into("<I", header, 208, spec["run_count"])
    body = bytes(header) + bytes(metrics) + bytes(traces) + bytes(names)
    return body + bytes(volume_offset - len(body)) + volume


def write(spec: dict) -> bytes:
    data = scca(spec)
    if spec.get("truncate") is not None:
        data = data[:spec["truncate"]]
    return data


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    with open(sys.argv[2], "wb") as handle:
        handle.write(write(spec))


def scca_2008_hash(device_path: str) -> str:
    """The prefetch hash Windows 7 to 11 put in the file name: the SCCA 2008 function over the
    upper-case device path (`\\DEVICE\\HARDDISKVOLUME2\\PROGRAMDATA\\PROCDUMP64.EXE`) as UTF-16LE bytes."""
    data = device_path.upper().encode("utf-16-le")
    value = 314159
    index = 0
    while index + 8 < len(data):
        mixed = data[index + 1]
        for offset in range(2, 7):
            mixed = mixed * 37 + data[index + offset]
        mixed = mixed * 37 + data[index] * 442596621 + data[index + 7]
        value = (mixed - value * 803794207) % 0x100000000
        index += 8
    for byte in data[index:]:
        value = (37 * value + byte) % 0x100000000
    return "%08X" % value


if __name__ == "__main__":
    main()
