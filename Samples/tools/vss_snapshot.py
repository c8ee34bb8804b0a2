#!/usr/bin/env python3
"""vss_snapshot: give a volume image one Volume Shadow Copy store holding an earlier state of it.

    vss_snapshot.py BEFORE AFTER [--created UNIX_SECONDS] [--store-id GUID]

BEFORE and AFTER are the same volume (an NTFS image file) at two moments: AFTER was made from a
copy of BEFORE and then changed (a file deleted, a log cleared). AFTER becomes the "live" volume
of a Windows system with shadow copies: the script writes, in the layout libvshadow reads
(libvshadow's "Volume Shadow Snapshot (VSS) format" document):

* the VSS volume header at volume offset 0x1e00 (inside $Boot, where Windows keeps it),
* one 16 KiB catalog block with a type 0x02 entry (volume size, store identifier, creation time)
  and a type 0x03 entry (where the store's header, block list, range list and bitmap are),
* the store: header with store information, block list (one descriptor per 16 KiB block of the
  volume that differs between BEFORE and AFTER, pointing at BEFORE's copy of that block), block
  range list, an all-clear bitmap (every block in use, so unchanged blocks read from the live
  volume), and the data blocks.

Windows keeps the catalog and store in files under "System Volume Information"; here they sit in
an area appended after the file system's last sector (the image file grows), which libvshadow
does not distinguish, and which keeps the NTFS bytes the test populated unchanged. Blocks are
compared over the file system area only. Prints the layout as JSON (offsets a test may damage).
"""
import argparse
import json
import os
import struct
import sys
import uuid

BLOCK = 0x4000
VSS_ID = bytes([0x6B, 0x87, 0x08, 0x38, 0x76, 0xC1, 0x48, 0x4E, 0xB7, 0xAE, 0x04, 0x04, 0x6E, 0x6C, 0xC7, 0x52])
HEADER_OFFSET = 0x1E00
FILETIME_EPOCH_DELTA = 11644473600


def align(value, to=BLOCK):
    return (value + to - 1) // to * to


def block_header(record_type, relative, current, next_offset, info_size=0):
    """The 128-byte header every catalog and store block starts with."""
    return (VSS_ID + struct.pack("<IIQQQQ", 1, record_type, relative, current, next_offset, info_size)).ljust(128, b"\0")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--created", type=int, default=1614556800, help="creation time, Unix seconds (default 2021-03-01)")
    parser.add_argument("--store-id", default="a1b2c3d4-0001-4000-8000-00000000e001")
    args = parser.parse_args()

    before = bytearray(open(args.before, "rb").read())
    fs_size = os.path.getsize(args.after)
    if len(before) != fs_size:
        sys.exit("vss_snapshot: BEFORE and AFTER differ in size: AFTER must be a changed copy of BEFORE")
    if before[3:11] != b"NTFS    ":
        sys.exit("vss_snapshot: BEFORE is not an NTFS volume (no NTFS boot sector)")

    store_id = uuid.UUID(args.store_id)
    created = (args.created + FILETIME_EPOCH_DELTA) * 10_000_000
    area = align(fs_size)
    catalog = area
    store_header = catalog + BLOCK
    block_list = store_header + BLOCK

    with open(args.after, "r+b") as live:
        after = bytearray(live.read())
        # The header exists at snapshot time too: both states carry it, so block 0 compares equal
        # unless the file system changed it.
        blocks_in_fs = (fs_size + BLOCK - 1) // BLOCK
        changed = []
        for index in range(blocks_in_fs):
            lo, hi = index * BLOCK, min((index + 1) * BLOCK, fs_size)
            old = bytes(before[lo:hi])
            if index == HEADER_OFFSET // BLOCK:
                old = old[:HEADER_OFFSET] + bytes(512) + old[HEADER_OFFSET + 512:]
                new = bytes(after[lo:HEADER_OFFSET]) + bytes(512) + bytes(after[HEADER_OFFSET + 512:hi])
            else:
                new = bytes(after[lo:hi])
            if old != new:
                changed.append(index)
        per_list_block = (BLOCK - 128) // 32
        list_blocks = max(1, (len(changed) + per_list_block - 1) // per_list_block)
        range_list = block_list + list_blocks * BLOCK
        bitmap = range_list + BLOCK
        data = bitmap + BLOCK
        volume_size = data + len(changed) * BLOCK
        if (volume_size // BLOCK + 7) // 8 > BLOCK - 128:
            sys.exit("vss_snapshot: volume too large for a one-block bitmap")

        out = bytearray(volume_size - area)

        def put(offset, payload):
            out[offset - area:offset - area + len(payload)] = payload

        # Catalog: one block, a type 2 and a type 3 entry.
        put(catalog, block_header(2, 0, catalog, 0))
        entry2 = struct.pack("<QQ", 2, volume_size) + store_id.bytes_le + struct.pack("<QQQ", 1, 0x40, created)
        put(catalog + 128, entry2.ljust(128, b"\0"))
        entry3 = struct.pack("<QQ", 3, block_list) + store_id.bytes_le + struct.pack(
            "<QQQQQQQ", store_header, range_list, bitmap, 0, volume_size - store_header, 0, 0)
        put(catalog + 256, entry3.ljust(128, b"\0"))

        # Store header and store information.
        shadow_copy_id = uuid.uuid5(store_id, "shadow-copy")
        shadow_set_id = uuid.uuid5(store_id, "shadow-copy-set")
        information = (uuid.uuid5(store_id, "unknown").bytes_le + shadow_copy_id.bytes_le + shadow_set_id.bytes_le
                       + struct.pack("<IIII", 0x0D, 1, 0x0042000D, 0) + struct.pack("<H", 0) + struct.pack("<H", 0))
        put(store_header, block_header(4, 0, store_header, 0, len(information)) + information)

        # Block list: a descriptor per changed block, BEFORE's bytes in the data blocks.
        for list_index in range(list_blocks):
            here = block_list + list_index * BLOCK
            following = here + BLOCK if list_index + 1 < list_blocks else 0
            put(here, block_header(3, here - store_header, here, following))
            for slot, block_index in enumerate(changed[list_index * per_list_block:(list_index + 1) * per_list_block]):
                number = list_index * per_list_block + slot
                stored = data + number * BLOCK
                put(here + 128 + slot * 32, struct.pack("<QQQII", block_index * BLOCK, stored - store_header, stored, 0, 0))
        for number, block_index in enumerate(changed):
            lo = block_index * BLOCK
            content = bytes(before[lo:lo + BLOCK]).ljust(BLOCK, b"\0")
            put(data + number * BLOCK, content)

        # Block range list: the store's own area; bitmap: all clear (every block in use).
        put(range_list, block_header(5, range_list - store_header, range_list, 0))
        put(range_list + 128, struct.pack("<QQQ", store_header, 0, volume_size - store_header))
        put(bitmap, block_header(6, bitmap - store_header, bitmap, 0))

        # Volume header at 0x1e00 of the live volume.
        volume_id = uuid.uuid5(store_id, "volume")
        header = (VSS_ID + struct.pack("<IIQQQQQ", 1, 1, HEADER_OFFSET, HEADER_OFFSET, 0, catalog, 0)
                  + volume_id.bytes_le + volume_id.bytes_le).ljust(512, b"\0")
        live.seek(HEADER_OFFSET)
        live.write(header)
        live.seek(area)
        live.write(out)
        live.truncate(volume_size)

    json.dump({"volumeSize": volume_size, "fileSystemSize": fs_size, "catalog": catalog, "storeHeader": store_header,
               "blockList": block_list, "rangeList": range_list, "bitmap": bitmap, "data": data,
               "changedBlocks": len(changed), "storeIdentifier": str(store_id), "created": args.created},
              sys.stdout)
    print()


if __name__ == "__main__":
    main()
