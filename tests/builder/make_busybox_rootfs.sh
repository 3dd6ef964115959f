#!/bin/sh
# Makes a minimal root filesystem for the builder's RUN tests: Debian's
# statically linked busybox, applet symlinks, /etc/passwd and /etc/group
# with root, app (1000, also member of the supplementary group "extra",
# 2000) and nobody, and an empty /tmp.
#
#   make_busybox_rootfs.sh DIR
#
# DIR is created if missing and must be empty. Exits 77 when busybox-static
# is not installed (a test that needs the rootfs is then skipped), 2 on
# usage or I/O errors.
set -eu

dir=${1:-}
if [ -z "$dir" ] || [ $# -ne 1 ]; then
    echo "usage: make_busybox_rootfs.sh DIR" >&2
    exit 2
fi

# The package installs /bin/busybox; a dynamically linked busybox from
# another package would not run inside the bare rootfs.
bb=/bin/busybox
if [ ! -x "$bb" ] || ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null |
    grep -q 'install ok installed'; then
    echo "busybox-static is not installed: apt-get install busybox-static" >&2
    exit 77
fi

mkdir -p "$dir" || exit 2
if [ -n "$(ls -A "$dir")" ]; then
    echo "make_busybox_rootfs.sh: '$dir' is not empty" >&2
    exit 2
fi

mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root" "$dir/home/app" "$dir/proc" \
    "$dir/dev" "$dir/sys"
chmod 1777 "$dir/tmp"
chmod 0700 "$dir/root"
cp "$bb" "$dir/bin/busybox"
chmod 0755 "$dir/bin/busybox"
for applet in sh ls cat echo id touch rm mkdir env sleep true false wc \
    hostname grep stat ln chmod mount ps kill test head tail sed printf pwd; do
    ln -s busybox "$dir/bin/$applet"
done

cat >"$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$dir/etc/group" <<'EOF'
root:x:0:
app:x:1000:
extra:x:2000:app
nogroup:x:65534:
EOF
chmod 0644 "$dir/etc/passwd" "$dir/etc/group"
chown 1000:1000 "$dir/home/app" 2>/dev/null || true
exit 0
