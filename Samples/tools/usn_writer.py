#!/usr/bin/env python3
"""An NTFS change-journal (`$Extend/$UsnJrnl:$J`) writer, standard library only, deterministic.

Writes USN_RECORD_V2 or USN_RECORD_V3 records (Microsoft, "USN_RECORD_V2 structure"): each
8-byte aligned, never across a 4 KiB page (the rest of a page is zeros, as NTFS leaves it), the
`Usn` field equal to the record's offset in the stream. `leading_zeros` bytes of zeros come first:
the part of the stream NTFS has freed (sparse on the volume; a copy that is not sparse-aware, as
some collectors make, holds them as zeros).

    python3 usn_writer.py SPEC.json OUT

SPEC: {"version": 2, "leading_zeros": 65536, "records": [
         {"file": [70123, 4], "parent": [5, 5], "time": "2021-03-03T06:58:10Z", "reason": 256,
          "attributes": 32, "name": "x.aspx"}, ...]}
`version` per record overrides the file's; `truncate` cuts the result to that many bytes.
"""
from __future__ import annotations

import datetime as dt
import json
import struct
import sys

EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)
PAGE = 4096

# USN_REASON_* flags (winioctl.h).
DATA_OVERWRITE, DATA_EXTEND, DATA_TRUNCATION = 0x1, 0x2, 0x4
FILE_CREATE, FILE_DELETE, SECURITY_CHANGE = 0x100, 0x200, 0x800
RENAME_OLD_NAME, RENAME_NEW_NAME, BASIC_INFO_CHANGE = 0x1000, 0x2000, 0x8000
CLOSE = 0x80000000
# FILE_ATTRIBUTE_* flags.
ATTR_DIRECTORY, ATTR_ARCHIVE = 0x10, 0x20


def filetime(value: str | dt.datetime) -> int:
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    delta = when - EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def reference(ref) -> int:
    entry, sequence = ref
    return (sequence << 48) | entry


def record(rec: dict, usn: int, version: int) -> bytes:
    name = rec["name"].encode("utf-16-le")
    ref, parent = reference(rec["file"]), reference(rec["parent"])
    if version == 2:
        header = 60
        length = (header + len(name) + 7) // 8 * 8
        head = struct.pack("<IHHQQqQIIIIHH", length, 2, 0, ref, parent, usn, filetime(rec["time"]), rec["reason"],
                           rec.get("source_info", 0), rec.get("security_id", 0), rec.get("attributes", ATTR_ARCHIVE),
                           len(name), header)
    elif version == 3:
        header = 76
        length = (header + len(name) + 7) // 8 * 8
        head = struct.pack("<IHHQQQQqQIIIIHH", length, 3, 0, ref, 0, parent, 0, usn, filetime(rec["time"]), rec["reason"],
                           rec.get("source_info", 0), rec.get("security_id", 0), rec.get("attributes", ATTR_ARCHIVE),
                           len(name), header)
    else:
        raise ValueError(f"USN record version {version} is not written")
    assert len(head) == header
    return (head + name).ljust(length, b"\0")


def write(spec: dict) -> bytes:
    out = bytearray(spec.get("leading_zeros", 0))
    for rec in spec["records"]:
        version = rec.get("version", spec.get("version", 2))
        size = len(record(rec, 0, version))
        if len(out) // PAGE != (len(out) + size - 1) // PAGE:  # a record never crosses a page
            out += bytes(PAGE - len(out) % PAGE)
        out += record(rec, len(out), version)
    if spec.get("truncate") is not None:
        del out[spec["truncate"]:]
    return bytes(out)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    with open(sys.argv[2], "wb") as f:
        f.write(write(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
