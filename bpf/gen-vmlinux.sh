#!/usr/bin/env bash
# Writes vmlinux.h (the running kernel's types, for CO-RE) into the directory given as $1.
# Regenerated only when the kernel's BTF changed; prints why and exits 1 when it cannot.
set -euo pipefail
out_dir=${1:?usage: gen-vmlinux.sh OUT_DIR}
btf=/sys/kernel/btf/vmlinux
if [[ ! -r $btf ]]; then
  echo "kernel has no BTF ($btf missing): CO-RE programs cannot be relocated on this kernel" >&2
  exit 1
fi
mkdir -p "$out_dir"
stamp="$out_dir/vmlinux.h.src"
current="$(uname -r) $(stat -c %s "$btf")"
if [[ -s $out_dir/vmlinux.h && -f $stamp && "$(cat "$stamp")" == "$current" ]]; then
  exit 0
fi
if ! command -v bpftool >/dev/null; then
  echo "bpftool not found (install the bpftool package: scripts/setup-ebpf.sh)" >&2
  exit 1
fi
bpftool btf dump file "$btf" format c >"$out_dir/vmlinux.h.tmp"
mv "$out_dir/vmlinux.h.tmp" "$out_dir/vmlinux.h"
echo "$current" >"$stamp"
