#!/usr/bin/env bash
# Builds Samples/images/exchange2016-compromised as a disk image, with no mount and no root:
# a GPT disk holding an EFI system partition (FAT) and the Windows volume (NTFS), written as a raw
# disk and as an E01. The images are generated, never committed.
#
#   Samples/tools/make_sample_images.sh [OUTDIR]     # default: out/images
#
# Outputs: OUTDIR/exchange2016-compromised.raw (GPT disk) and OUTDIR/exchange2016-compromised.E01.
# On the NTFS volume the planted RedirSuiteServerProxy.aspx web shell is time-stomped the way a
# user-mode tool does it: its $STANDARD_INFORMATION times say 2020-10-06 (the CU19 install),
# its $FILE_NAME times keep the real creation time; the manifest records both.
# Needs: gcc with ntfs-3g-dev, mkntfs, mkfs.vfat, mtools, sfdisk, ewfacquire (`make deps`).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$repo/out/images}"
sample=exchange2016-compromised
tree="$repo/Samples/images/$sample"
PATH="$PATH:/usr/sbin:/sbin"

for tool in gcc mkntfs mkfs.vfat mmd mcopy sfdisk ewfacquire ewfverify truncate dd; do
  command -v "$tool" >/dev/null || { echo "make_sample_images: '$tool' is missing (run: make deps)" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/extriage-sample-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

gcc -O1 -o "$work/ntfs_populate" "$repo/Samples/tools/ntfs_populate.c" -lntfs-3g

# The Windows volume: NTFS, 32 MiB.
truncate -s 32M "$work/c.ntfs"
mkntfs -F -Q -q -L EXCH01-C "$work/c.ntfs" 2>/dev/null
"$work/ntfs_populate" "$work/c.ntfs" "$tree" \
  -t "Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/RedirSuiteServerProxy.aspx" 1601942400

# The EFI system partition: FAT, 8 MiB, with the Windows boot manager's folder.
truncate -s 8M "$work/esp.fat"
mkfs.vfat -n SYSTEM "$work/esp.fat" >/dev/null
printf 'placeholder: not a boot manager\n' > "$work/bootmgfw.efi"
MTOOLS_SKIP_CHECK=1 mmd -i "$work/esp.fat" ::/EFI ::/EFI/Microsoft ::/EFI/Microsoft/Boot
MTOOLS_SKIP_CHECK=1 mcopy -m -i "$work/esp.fat" "$work/bootmgfw.efi" ::/EFI/Microsoft/Boot/

# The disk: GPT, partitions 1 MiB aligned.
disk="$work/disk.raw"
truncate -s 42M "$disk"
sfdisk -q "$disk" <<'TABLE'
label: gpt
start=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system partition"
start=18432, size=65536, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="Basic data partition"
TABLE
dd if="$work/esp.fat" of="$disk" bs=512 seek=2048 conv=notrunc status=none
dd if="$work/c.ntfs" of="$disk" bs=512 seek=18432 conv=notrunc status=none

rm -f "$out/$sample".E?? "$out/$sample.raw"
ewfacquire -u -q -t "$out/$sample" -c deflate:fast -C DEMO-001 -e "make sample-images" -E EXCH01-DISK0 \
  -D "$sample sample as a GPT disk" -N "synthetic evidence; see Samples/README.md" -m fixed -M physical -f encase6 \
  "$disk" >/dev/null
ewfverify -q "$out/$sample.E01" >/dev/null
mv "$disk" "$out/$sample.raw"
echo "$out/$sample.raw"
echo "$out/$sample.E01"
