#!/usr/bin/env bash
# Installs what Medic's eBPF collector builds with on Debian/Ubuntu (clang, llvm, libbpf, bpftool,
# libelf, zlib), then builds it (native/build.sh). Needs root (or sudo). Safe to re-run.
set -euo pipefail
packages=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make g++)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  command -v apt-get >/dev/null || { echo "setup-ebpf: apt-get not found; install: ${missing[*]}" >&2; exit 1; }
  sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  echo "setup-ebpf: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup-ebpf: packages already installed" >&2
fi
[[ -r /sys/kernel/btf/vmlinux ]] || echo "setup-ebpf: warning: this kernel has no BTF (/sys/kernel/btf/vmlinux); probes cannot load here" >&2
MEDIC_NATIVE_STRICT=1 bash "$(dirname "$0")/../native/build.sh"
