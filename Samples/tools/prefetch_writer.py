#!/usr/bin/env python3
"""A Windows prefetch (SCCA) writer, standard library only, deterministic.

Writes format 17 (XP/2003), 23 (Vista/7, Server 2008 R2) and 30 (Windows 10, Server 2016+):
file header, file information (run count, one or eight last run times), metrics entries, trace
chains, filename strings and one volume (device path, file references, directory strings).
Windows 10 and later store format 30 MAM-compressed: `"compress": true` writes the `MAM\x04`
header, the uncompressed size and one LZXPRESS Huffman block ([MS-XCA] 2.1-2.2) that codes every
byte as a literal with a Huffman code built from the file's own byte counts (prefetch files are
mostly zeros and UTF-16, so the stream is smaller than the file, which libscca expects). Windows'
own compressor also codes matches; any [MS-XCA] decoder reads both the same. Files up to 64 KiB
(one Huffman block) only.

    python3 prefetch_writer.py SPEC.json OUT.pf

SPEC: {"version": 30, "compress": false, "executable": "PROCDUMP64.EXE", "hash": "1A2B3C4D", "run_count": 2,
       "last_runs": ["2021-03-03T07:46:58Z", ...], "files": ["\\\\VOLUME{...}\\\\WINDOWS\\\\SYSTEM32\\\\NTDLL.DLL", ...],
       "volume": "\\\\VOLUME{01d70fe1a2b3c4d5-5e6f7a8b}", "volume_serial": 1584364171,
       "volume_created": "2020-11-02T10:00:00Z", "truncate": null}
`truncate` cuts the written file to that many bytes (a damaged prefetch file for readers to record).
"""
from __future__ import annotations

import datetime as dt
import heapq
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


def huffman_lengths(data: bytes) -> list[int]:
    """The code length of each of the 512 LZXPRESS Huffman symbols: a Huffman code over the bytes
    of `data` and the end-of-stream symbol 256, no code longer than 15 bits (frequencies are
    flattened until it fits); match symbols and absent bytes get no code."""
    counts = [0] * 257
    for byte in data:
        counts[byte] += 1
    counts[256] = 1
    if sum(1 for count in counts if count) == 1:
        counts[0] += 1
    while True:
        heap = [(count, symbol, None) for symbol, count in enumerate(counts) if count]
        heapq.heapify(heap)
        serial = 512
        while len(heap) > 1:
            first, second = heapq.heappop(heap), heapq.heappop(heap)
            heapq.heappush(heap, (first[0] + second[0], serial, (first, second)))
            serial += 1
        lengths = [0] * 512
        stack = [(heap[0], 0)]
        while stack:
            (count, symbol, children), depth = stack.pop()
            if children is None:
                lengths[symbol] = depth
            else:
                stack += [(children[0], depth + 1), (children[1], depth + 1)]
        if max(lengths) <= 15:
            return lengths
        counts = [count // 2 + 1 if count else 0 for count in counts]


def canonical_codes(lengths: list[int]) -> dict[int, tuple[int, int]]:
    """Symbol -> (code, length) as [MS-XCA] 2.2.4 builds its decoding table: codes handed out in
    order of (length, symbol)."""
    codes, code, previous = {}, 0, 0
    for length, symbol in sorted((length, symbol) for symbol, length in enumerate(lengths) if length):
        code <<= length - previous
        codes[symbol] = (code, length)
        code += 1
        previous = length
    return codes


def lzxpress_huffman(data: bytes) -> bytes:
    """One [MS-XCA] LZXPRESS Huffman block: the 256-byte table of 4-bit lengths (symbol 2n in the
    low nibble), then the codes, most significant bit first, packed in little-endian 16-bit words."""
    if len(data) > 65536:
        raise ValueError("lzxpress_huffman: one block holds at most 64 KiB")
    lengths = huffman_lengths(data)
    table = bytes(lengths[2 * n] | lengths[2 * n + 1] << 4 for n in range(256))
    codes = canonical_codes(lengths)
    out, bits, count = bytearray(table), 0, 0
    for symbol in list(data) + [256]:
        code, length = codes[symbol]
        bits, count = bits << length | code, count + length
        while count >= 16:
            count -= 16
            out += struct.pack("<H", bits >> count & 0xFFFF)
    if count:
        out += struct.pack("<H", bits << (16 - count) & 0xFFFF)
    # The decoder reads up to two words ahead of the last symbol.
    return bytes(out) + bytes(4)


def lzxpress_huffman_decode(stream: bytes, size: int) -> bytes:
    """The [MS-XCA] 2.2.4 decoder for one block, literals only: checks what `lzxpress_huffman` writes."""
    lengths = [stream[n // 2] >> (4 * (n % 2)) & 15 for n in range(512)]
    table = [symbol for length in range(1, 16) for symbol in range(512) if lengths[symbol] == length
             for _ in range(1 << (15 - length))]
    position, out = 256, bytearray()
    next_bits = struct.unpack_from("<H", stream, position)[0] << 16 | struct.unpack_from("<H", stream, position + 2)[0]
    position, extra = position + 4, 16
    while len(out) < size:
        symbol = table[next_bits >> 17]
        next_bits = next_bits << lengths[symbol] & 0xFFFFFFFF
        extra -= lengths[symbol]
        if extra < 0:
            next_bits |= struct.unpack_from("<H", stream, position)[0] << -extra
            extra, position = extra + 16, position + 2
        if symbol >= 256:
            raise ValueError("lzxpress_huffman_decode: match symbols are not written here")
        out.append(symbol)
    return bytes(out)


def mam(data: bytes) -> bytes:
    """A Windows 10 compressed prefetch file: `MAM` and compression format 4 (LZXPRESS Huffman),
    the uncompressed size, then the compressed stream."""
    return b"MAM\x04" + struct.pack("<I", len(data)) + lzxpress_huffman(data)


def write(spec: dict) -> bytes:
    data = scca(spec)
    if spec.get("compress"):
        data = mam(data)
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
