#!/usr/bin/env python3
"""A minimal Windows registry hive (regf 1.5) writer, standard library only, deterministic.

Writes what libregf and Windows read: the 4 KiB base block (checksum), hive bins of 4 KiB
multiples, `nk` keys (ASCII names), `vk` values (data inline when 4 bytes or less), value lists,
`lh` subkey lists (sorted, with name hashes), one shared `sk` security cell. No big-data (`db`)
cells: values are kept under 16 KiB. Times are given, never taken from the clock.

    python3 regf_writer.py SPEC.json OUT.hive

SPEC: {"name": "SYSTEM", "time": "2021-03-03T09:40:00Z", "root": KEY, "broken": ["path\\\\to\\\\key"]}
KEY:  {"name": "ROOT", "time": "...", "values": [VALUE...], "keys": [KEY...]}
VALUE: {"name": "ImagePath", "type": "sz|expand_sz|multi_sz|dword|qword|binary|none", "data": ...}
       (a `type_code` number overrides `type`, for values whose type field carries data, as SAM's Names keys do)
`broken` keys get their `nk` signature overwritten: a broken cell for readers to record.
"""
from __future__ import annotations

import datetime as dt
import json
import struct
import sys

EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)
TYPES = {"none": 0, "sz": 1, "expand_sz": 2, "binary": 3, "dword": 4, "multi_sz": 7, "qword": 11}


def filetime(value) -> int:
    if isinstance(value, int):
        return value
    stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    delta = stamp - EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def value_bytes(value: dict) -> tuple[int, bytes]:
    kind = value.get("type", "sz")
    code = value.get("type_code", TYPES[kind])
    data = value.get("data")
    if kind in ("sz", "expand_sz"):
        raw = (data + "\0").encode("utf-16-le")
    elif kind == "multi_sz":
        raw = "".join(s + "\0" for s in data).encode("utf-16-le") + b"\0\0"
    elif kind == "dword":
        raw = struct.pack("<I", data)
    elif kind == "qword":
        raw = struct.pack("<Q", data)
    elif kind == "binary":
        raw = bytes.fromhex(data)
    else:
        raw = b""
    return code, raw


class Hive:
    """Cells appended to one growing hive-bin area; offsets are relative to the first bin."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.bin_start = 0
        self._new_bin()

    def _new_bin(self) -> None:
        self.bin_start = len(self.data)
        self.data += b"hbin" + struct.pack("<III", self.bin_start, 4096, 0) + bytes(16)

    def cell(self, payload: bytes) -> int:
        size = (len(payload) + 4 + 7) & ~7
        bin_end = self.bin_start + struct.unpack_from("<I", self.data, self.bin_start + 8)[0]
        if len(self.data) + size > bin_end:
            self._close_bin()
            self._new_bin()
            if size > 4096 - 32:
                grown = (size + 32 + 4095) & ~4095
                struct.pack_into("<I", self.data, self.bin_start + 8, grown)
        offset = len(self.data)
        self.data += struct.pack("<i", -size) + payload + bytes(size - 4 - len(payload))
        return offset

    def _close_bin(self) -> None:
        bin_end = self.bin_start + struct.unpack_from("<I", self.data, self.bin_start + 8)[0]
        free = bin_end - len(self.data)
        if free > 0:
            self.data += struct.pack("<i", free) + bytes(free - 4)

    def finish(self) -> bytes:
        self._close_bin()
        return bytes(self.data)


def lh_hash(name: str) -> int:
    value = 0
    for char in name.upper():
        value = (value * 37 + ord(char)) & 0xFFFFFFFF
    return value


def write_key(hive: Hive, key: dict, parent: int, security: int, path: str, broken: set[str], is_root: bool) -> int:
    name = key["name"].encode("ascii")
    values = key.get("values", [])
    value_offsets = []
    for value in values:
        code, raw = value_bytes(value)
        vname = value["name"].encode("ascii")
        if len(raw) <= 4:
            size_field, data_field = len(raw) | 0x80000000, int.from_bytes(raw.ljust(4, b"\0"), "little")
        else:
            size_field, data_field = len(raw), hive.cell(raw)
        payload = b"vk" + struct.pack("<HIIIHH", len(vname), size_field, data_field, code, 1 if vname else 0, 0) + vname
        value_offsets.append(hive.cell(payload))
    value_list = hive.cell(b"".join(struct.pack("<I", o) for o in value_offsets)) if value_offsets else 0xFFFFFFFF
    # The nk cell is written before its children so they can name it as parent; patched after.
    flags = 0x20 | (0x0C if is_root else 0)
    header = struct.pack("<HQIIIIIIIIIIIIIIIHH", flags, filetime(key["time"]), 0, parent, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF,
                         len(values), value_list, security, 0xFFFFFFFF, 0, 0, 0, 0, 0, len(name), 0)
    offset = hive.cell(b"nk" + header + name)
    children = sorted(key.get("keys", []), key=lambda k: k["name"].upper())
    child_offsets = [write_key(hive, child, offset, security, path + "\\" + child["name"] if path else child["name"], broken, False)
                     for child in children]
    base = offset + 4
    if children:
        entries = b"".join(struct.pack("<II", o, lh_hash(c["name"])) for o, c in zip(child_offsets, children))
        subkey_list = hive.cell(b"lh" + struct.pack("<H", len(children)) + entries)
        struct.pack_into("<II", hive.data, base + 20, len(children), 0)
        struct.pack_into("<I", hive.data, base + 28, subkey_list)
        struct.pack_into("<I", hive.data, base + 52, max(len(c["name"]) * 2 for c in children))
    if values:
        struct.pack_into("<I", hive.data, base + 60, max(len(v["name"]) * 2 for v in values))
        struct.pack_into("<I", hive.data, base + 64, max(len(value_bytes(v)[1]) for v in values))
    if path.lower() in broken:
        hive.data[base:base + 2] = b"\xde\xad"
    return offset


def write_hive(spec: dict) -> bytes:
    hive = Hive()
    # Self-relative security descriptor: revision 1, control SE_SELF_RELATIVE | SE_DACL_PRESENT, no owner, group or ACLs.
    descriptor = struct.pack("<BBHIIII", 1, 0, 0x8004, 0, 0, 0, 0)
    security = hive.cell(b"sk" + struct.pack("<HIIII", 0, 0, 0, 1, len(descriptor)) + descriptor)
    struct.pack_into("<II", hive.data, security + 4 + 4, security, security)
    broken = {p.lower() for p in spec.get("broken", [])}
    root = write_key(hive, spec["root"], 0xFFFFFFFF, security, "", broken, True)
    bins = hive.finish()
    base = bytearray(4096)
    struct.pack_into("<4sIIQIIIIIII", base, 0, b"regf", 1, 1, filetime(spec["time"]), 1, 5, 0, 1, root, len(bins), 1)
    name = ("\\??\\C:\\Windows\\System32\\config\\" + spec["name"]).encode("utf-16-le")[:64]
    base[48:48 + len(name)] = name
    checksum = 0
    for index in range(127):
        checksum ^= struct.unpack_from("<I", base, index * 4)[0]
    checksum = 0xFFFFFFFE if checksum == 0xFFFFFFFF else (1 if checksum == 0 else checksum)
    struct.pack_into("<I", base, 508, checksum)
    return bytes(base) + bins


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    with open(sys.argv[2], "wb") as handle:
        handle.write(write_hive(spec))


if __name__ == "__main__":
    main()
