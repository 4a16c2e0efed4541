#!/usr/bin/env bash
# Build the Cordboard appliance disk image (x86_64, UEFI + legacy BIOS, A/B root slots, data partition).
#
#   image/build.sh            (as root; `make image` runs it after building the web UI)
#
# Outputs in image/out/: cordboard.img.zst (the disk), root.ext4.zst (+ .sha256, the A/B update
# artifact) and manifest.json. The Debian base tree and pip's downloads are cached in image/cache/,
# so a rebuild skips debootstrap. See image/README.md for the layout and the traps this avoids
# (the build host has no vfat and no KVM; loop partitions need `partx -a`).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
OUT="$HERE/out"
CACHE="$HERE/cache"
WORK="$HERE/work"
ROOTFS="$WORK/rootfs"
SUITE=bookworm
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
ROOT_MIB=1200     # each of root-a and root-b
ESP_MIB=128
DATA_MIB=256      # grown to fill the disk on first boot
DATA_TYPE=dd3032b3-a958-471f-8e8a-0ef7d281d3c1   # private GPT type: nothing auto-mounts it
BIOS_TYPE=21686148-6449-6E6F-744E-656564454649
ESP_TYPE=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
LINUX_TYPE=0FC63DAF-8483-4772-8E79-3D69D8477DE4
# The appliance's Debian packages: systemd with networkd/resolved/timesyncd, the kernel, Python for
# Cordboard's venv, espeak-ng for prompts, zstd + grub-common for `cordboard system update`.
PACKAGES=systemd-sysv,systemd-resolved,systemd-timesyncd,udev,dbus,kmod,linux-image-amd64,initramfs-tools,\
zstd,python3,python3-venv,iproute2,iputils-ping,ca-certificates,less,procps,netbase,e2fsprogs,\
dosfstools,grub-common,espeak-ng

[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (debootstrap, chroot, a loop device)" >&2; exit 1; }

STARTED=$(date +%s)
step() { printf '[%4ds] %s\n' $(( $(date +%s) - STARTED )) "$*"; }

LOOP=""
MNT="$WORK/mnt"
cleanup() {
    set +e
    for m in dev/pts dev proc sys var/cache/cordboard-pip; do
        mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount -l "$ROOTFS/$m"
    done
    mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"
    if [ -n "$LOOP" ]; then partx -d "$LOOP" 2>/dev/null; losetup -d "$LOOP"; fi
}
trap cleanup EXIT

# Never delete a tree with something still mounted inside it (a bound /dev would go with it).
safe_rm() {
    local dir=$1
    [ -e "$dir" ] || return 0
    if findmnt -rn -o TARGET | grep -q "^$(realpath "$dir")/"; then
        echo "build.sh: refusing to delete $dir: something is mounted inside it" >&2
        exit 1
    fi
    rm -rf "$dir"
}

mkdir -p "$OUT" "$CACHE/debs" "$CACHE/pip" "$WORK"
safe_rm "$ROOTFS"
rm -rf "$WORK/esp" "$WORK"/*.vfat "$WORK"/*.ext4 "$WORK/wheel"

# -- 1. the Debian base tree (cached as a tarball keyed by suite, mirror and package list) --------
# The ISO week is part of the key, so a cached tree is at most a week behind Debian's security
# updates; BASE_REFRESH=1 rebuilds it now.
BASE_KEY=$(printf '%s\n' "$SUITE" "$MIRROR" "$PACKAGES" "$(date -u +%G-W%V)" "v1" | sha256sum | cut -c1-16)
BASE_TAR="$CACHE/base-$BASE_KEY.tar.zst"
mkdir -p "$ROOTFS"
if [ -f "$BASE_TAR" ] && [ "${BASE_REFRESH:-0}" != 1 ]; then
    step "base tree from cache ($(basename "$BASE_TAR"))"
    zstd -dc "$BASE_TAR" | tar -C "$ROOTFS" --numeric-owner -xpf -
else
    step "debootstrap $SUITE (cold: about 2 minutes)"
    debootstrap --variant=minbase --cache-dir="$CACHE/debs" --include="$PACKAGES" \
        "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
        || { tail -30 "$WORK/debootstrap.log"; exit 1; }
    cat >"$ROOTFS/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
SOURCES
    step "security and point-release updates"
    mount --bind /proc "$ROOTFS/proc"; mount --bind /sys "$ROOTFS/sys"
    mount --bind /dev "$ROOTFS/dev"; mount --bind /dev/pts "$ROOTFS/dev/pts"
    chroot "$ROOTFS" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -y -qq upgrade \
        && apt-get clean' >"$WORK/upgrade.log" 2>&1 || { tail -30 "$WORK/upgrade.log"; exit 1; }
    umount "$ROOTFS/dev/pts" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/proc"
    rm -rf "$ROOTFS"/var/lib/apt/lists/*
    step "caching the base tree"
    tar -C "$ROOTFS" --numeric-owner -cpf - . | zstd -q -T0 -3 -o "$BASE_TAR.tmp"
    mv "$BASE_TAR.tmp" "$BASE_TAR"
    find "$CACHE" -maxdepth 1 -name 'base-*.tar.zst' ! -name "$(basename "$BASE_TAR")" -delete
fi

# -- 2. Cordboard: the project's own wheel, its dependencies from PyPI, the built web UI ----------
step "wheel from the checkout"
[ -f "$REPO/frontend/dist/index.html" ] || { echo "build.sh: frontend/dist is missing (make frontend)" >&2; exit 1; }
# CORDBOARD_NATIVE=1: the SIP engine compiled with mypyc (core/native.py, setup.py).
CORDBOARD_NATIVE=1 CORDBOARD_NATIVE_C=build/native-c-image \
    "$PYTHON" -m pip wheel -q --no-deps -w "$WORK/wheel" "$REPO" >"$WORK/wheel.log" 2>&1 \
    || { tail -30 "$WORK/wheel.log"; exit 1; }
WHEEL=$(ls "$WORK"/wheel/cordboard-*.whl)
VERSION=$(basename "$WHEEL" | cut -d- -f2)
BUILD_ID="${BUILD_ID:-$(date -u +%Y%m%dT%H%M%SZ)-$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo nogit)}"

step "overlay and configuration"
cp -a "$HERE/overlay/." "$ROOTFS/"
cp "$WHEEL" "$ROOTFS/tmp/"
# The web UI is served from <site-packages>/cordboard/frontend/dist (core/http/server.py FRONTEND_DIST).
mkdir -p "$ROOTFS/var/cache/cordboard-pip"
mount --bind /proc "$ROOTFS/proc"; mount --bind /sys "$ROOTFS/sys"
mount --bind /dev "$ROOTFS/dev"; mount --bind /dev/pts "$ROOTFS/dev/pts"
mount --bind "$CACHE/pip" "$ROOTFS/var/cache/cordboard-pip"
rm -f "$ROOTFS/etc/resolv.conf"; cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
# pip in the chroot trusts what the build host trusts (a TLS-inspecting proxy's CA, say); the
# bundle is removed again, so the image keeps only Debian's CA certificates. The host's pip
# settings (PIP_FIND_LINKS, ...) stay out: the chroot gets a clean environment.
PIP_CERT_ENV=()
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cp -L /etc/ssl/certs/ca-certificates.crt "$ROOTFS/tmp/build-ca.crt"
    PIP_CERT_ENV=(PIP_CERT=/tmp/build-ca.crt)
fi
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "${PIP_CERT_ENV[@]}" \
    PIP_DISABLE_PIP_VERSION_CHECK=1 chroot "$ROOTFS" /bin/bash -euo pipefail >"$WORK/configure.log" 2>&1 <<CHROOT || { tail -40 "$WORK/configure.log"; exit 1; }
useradd --system --user-group --home-dir /var/lib/cordboard --shell /usr/sbin/nologin cordboard
python3 -m venv /opt/cordboard/venv
/opt/cordboard/venv/bin/pip install -q --cache-dir /var/cache/cordboard-pip --upgrade pip
/opt/cordboard/venv/bin/pip install -q --cache-dir /var/cache/cordboard-pip /tmp/$(basename "$WHEEL")
ln -sf /opt/cordboard/venv/bin/cordboard /usr/local/bin/cordboard
systemctl enable systemd-networkd systemd-resolved systemd-timesyncd systemd-repart.service \
    cordboard.service cordboard-console.service cordboard-boot-ok.service cordboard-update.path
systemctl mask apt-daily.timer apt-daily-upgrade.timer
passwd -l root
CHROOT
SITE=$(echo "$ROOTFS"/opt/cordboard/venv/lib/python3*/site-packages)
mkdir -p "$SITE/cordboard/frontend"
cp -a "$REPO/frontend/dist" "$SITE/cordboard/frontend/dist"
umount "$ROOTFS/var/cache/cordboard-pip" "$ROOTFS/dev/pts" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/proc"
rmdir "$ROOTFS/var/cache/cordboard-pip"
rm -f "$ROOTFS"/tmp/*.whl "$ROOTFS/tmp/build-ca.crt" "$ROOTFS/etc/resolv.conf"
ln -s ../run/systemd/resolve/stub-resolv.conf "$ROOTFS/etc/resolv.conf"
: >"$ROOTFS/etc/machine-id"                      # generated on first boot
rm -f "$ROOTFS/var/lib/dbus/machine-id" "$ROOTFS"/etc/ssh/ssh_host_*
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/root/.cache
echo cordboard >"$ROOTFS/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tcordboard\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$ROOTFS/etc/hosts"
mkdir -p "$ROOTFS/var/lib/cordboard" "$ROOTFS/boot/efi"
PY_VERSION=$(chroot "$ROOTFS" python3 -c 'import platform; print(platform.python_version())')
KERNEL=$(basename "$(readlink "$ROOTFS/vmlinuz")" | sed 's/^vmlinuz-//')
printf 'BUILD_ID=%s\nVERSION=%s\n' "$BUILD_ID" "$VERSION" >"$ROOTFS/etc/cordboard-build"

# -- 3. the root file system: also the A/B update artifact (no mount needed) ----------------------
step "root.ext4 (mkfs.ext4 -d)"
USED_MIB=$(du -sm "$ROOTFS" | cut -f1)
[ "$USED_MIB" -lt $(( ROOT_MIB * 85 / 100 )) ] || { echo "build.sh: root tree is $USED_MIB MiB, too big for $ROOT_MIB MiB" >&2; exit 1; }
rm -f "$OUT"/*
mkfs.ext4 -q -L cb-root -d "$ROOTFS" "$OUT/root.ext4" "${ROOT_MIB}M" >/dev/null

# -- 4. the ESP, built as a file (the build host cannot mount vfat) -------------------------------
step "ESP and GRUB (UEFI + BIOS)"
ESP="$WORK/esp"
mkdir -p "$ESP/EFI/BOOT" "$ESP/grub/x86_64-efi" "$ESP/grub/i386-pc"
grub-mkimage -O x86_64-efi -p /grub -o "$ESP/EFI/BOOT/BOOTX64.EFI" part_gpt fat ext2 normal
grub-mkimage -O i386-pc -p '(,gpt2)/grub' -o "$ESP/grub/i386-pc/core.img" biosdisk part_gpt fat ext2 normal
cp /usr/lib/grub/x86_64-efi/*.mod /usr/lib/grub/x86_64-efi/*.lst "$ESP/grub/x86_64-efi/"
cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst /usr/lib/grub/i386-pc/boot.img "$ESP/grub/i386-pc/"
cp "$HERE/grub.cfg" "$ESP/grub/grub.cfg"
grub-editenv "$ESP/grub/grubenv" create
grub-editenv "$ESP/grub/grubenv" set slot=a
mkfs.vfat -F 32 -n ESP -C "$WORK/esp.vfat" $(( ESP_MIB * 1024 )) >/dev/null
mcopy -s -i "$WORK/esp.vfat" "$ESP"/* ::/
mkfs.ext4 -q -L cb-data "$WORK/data.ext4" "${DATA_MIB}M" >/dev/null

# -- 5. the GPT disk, each file system written at its partition's start ---------------------------
step "disk image"
IMG="$OUT/cordboard.img"
truncate -s $(( 1 + 1 + ESP_MIB + 2 * ROOT_MIB + DATA_MIB + 1 ))M "$IMG"
sfdisk -q "$IMG" <<SFDISK
label: gpt
size=1MiB, type=$BIOS_TYPE, name=bios
size=${ESP_MIB}MiB, type=$ESP_TYPE, name=esp
size=${ROOT_MIB}MiB, type=$LINUX_TYPE, name=root-a
size=${ROOT_MIB}MiB, type=$LINUX_TYPE, name=root-b
size=${DATA_MIB}MiB, type=$DATA_TYPE, name=cb-data
SFDISK
put() { dd if="$1" of="$IMG" bs=4M oflag=seek_bytes seek=$(( $(partx -g -o START -n "$2" "$IMG") * 512 )) \
        conv=notrunc,sparse status=none; }
put "$WORK/esp.vfat" 2
put "$OUT/root.ext4" 3
put "$WORK/data.ext4" 5

# -- 6. legacy BIOS boot code: grub-bios-setup needs its images on a disk GRUB can open -----------
step "grub-bios-setup"
LOOP=$(losetup --show -f "$IMG")
partx -a "$LOOP"
mkdir -p "$MNT"
mount "${LOOP}p5" "$MNT"
mkdir "$MNT/.grub-setup"
cp "$ESP/grub/i386-pc/boot.img" "$ESP/grub/i386-pc/core.img" "$MNT/.grub-setup/"
/usr/lib/grub/i386-pc/grub-bios-setup -d "$MNT/.grub-setup" "$LOOP"
rm -r "$MNT/.grub-setup"
umount "$MNT"
partx -d "$LOOP"; losetup -d "$LOOP"; LOOP=""

# -- 7. compress, checksums, manifest --------------------------------------------------------------
step "zstd -T0 -10"
zstd -q -T0 -10 --rm "$IMG" -o "$IMG.zst"
zstd -q -T0 -10 "$OUT/root.ext4" -o "$OUT/root.ext4.zst"
ROOT_RAW_SHA=$(sha256sum "$OUT/root.ext4" | cut -d' ' -f1)
rm -f "$OUT/root.ext4"
(cd "$OUT" && sha256sum cordboard.img.zst >cordboard.img.zst.sha256 && sha256sum root.ext4.zst >root.ext4.zst.sha256)
ELAPSED=$(( $(date +%s) - STARTED ))
"$PYTHON" - "$OUT" "$BUILD_ID" "$VERSION" "$KERNEL" "$PY_VERSION" "$ROOT_RAW_SHA" "$ELAPSED" "$ROOT_MIB" <<'PY'
import hashlib, json, os, sys
out, build_id, version, kernel, python, root_raw_sha, elapsed, root_mib = sys.argv[1:]
def sha(name):
    return open(os.path.join(out, name + ".sha256")).read().split()[0]
manifest = {
    "build_id": build_id,
    "cordboard_version": version,
    "debian": "bookworm",
    "arch": "x86_64",
    "kernel": kernel,
    "python": python,
    "build_seconds": int(elapsed),
    "files": {
        name: {"size": os.path.getsize(os.path.join(out, name)), "sha256": sha(name)}
        for name in ("cordboard.img.zst", "root.ext4.zst")
    },
    "root_ext4": {"size": int(root_mib) * 1024 * 1024, "sha256": root_raw_sha},
}
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
PY
step "done: $OUT"
ls -l "$OUT"
