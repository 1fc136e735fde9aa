#!/usr/bin/env bash
# Builds Medic's eBPF support: the CO-RE object (build/bpf/medic.bpf.o, from bpf/ against this
# kernel's vmlinux.h) and the N-API addon over libbpf (build/Release/medic_bpf.node).
# Runs from `npm install` (postinstall) and `npm run build:native`. It never fails an install: when a
# tool or header is missing it prints why and exits 0, and `medic trace` then reports
# "eBPF unavailable: <reason>". MEDIC_NATIVE_STRICT=1 makes a missing piece fail (exit 1).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/build"

skip() {
  # Never leave a half build behind: the collector checks for both files.
  rm -f "$here/build/bpf/medic.bpf.o" "$here/build/Release/medic_bpf.node"
  echo "medic: eBPF support not built: $1" >&2
  echo "medic: \`medic trace\` will report eBPF unavailable; run scripts/setup-ebpf.sh, then \`npm run build:native\`." >&2
  [[ ${MEDIC_NATIVE_STRICT:-0} == 1 ]] && exit 1
  exit 0
}

[[ ${MEDIC_SKIP_NATIVE:-0} == 1 ]] && skip "MEDIC_SKIP_NATIVE=1"
[[ $(uname -s) == Linux ]] || skip "eBPF needs Linux"
[[ $(uname -m) == x86_64 ]] || skip "the probes support x86-64 only (this is $(uname -m))"
for tool in clang pkg-config make g++; do
  command -v "$tool" >/dev/null || skip "$tool not found"
done
pkg-config --exists libbpf || skip "libbpf not found (Debian: libbpf-dev)"
pkg-config --exists libelf || skip "libelf not found (Debian: libelf-dev)"
pkg-config --exists zlib || skip "zlib not found (Debian: zlib1g-dev)"
bpf_include=$(pkg-config --variable=includedir libbpf)
[[ -r $bpf_include/bpf/bpf_helpers.h ]] || skip "libbpf's BPF headers are missing ($bpf_include/bpf/bpf_helpers.h)"

# Node headers: node-gyp would otherwise try to download them, which fails offline.
nodedir=${npm_config_nodedir:-/usr}
[[ -r $nodedir/include/node/node_api.h ]] || skip "Node headers not found in $nodedir/include/node (Debian: nodejs-dev / libnode-dev)"
node_gyp=${npm_config_node_gyp:-}
if [[ -z $node_gyp || ! -f $node_gyp ]]; then
  npm_root=$(npm root -g 2>/dev/null)
  node_gyp="$npm_root/npm/node_modules/node-gyp/bin/node-gyp.js"
fi
[[ -f $node_gyp ]] || skip "node-gyp not found (it ships with npm)"
(cd "$here" && node -e "require.resolve('node-addon-api')" 2>/dev/null) || skip "node-addon-api is not installed (npm install first)"

mkdir -p "$out"
log="$out/build.log"
: >"$log"
cd "$here" || skip "cannot enter $here"
if [[ ! -f $out/Makefile || binding.gyp -nt $out/Makefile ]]; then
  node "$node_gyp" configure --nodedir="$nodedir" >>"$log" 2>&1 || skip "node-gyp configure failed (see $log): $(tail -n 3 "$log")"
fi
node "$node_gyp" build --nodedir="$nodedir" >>"$log" 2>&1 || skip "the addon did not compile (see $log): $(grep -m 3 -E 'error' "$log")"

# The BPF object needs this kernel's types for CO-RE; without BTF the kernel cannot relocate it anyway.
bpf_out="$out/bpf"
"$root/bpf/gen-vmlinux.sh" "$bpf_out" 2>>"$log" || skip "$(tail -n 1 "$log")"
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$bpf_out" -I"$root/bpf" -I"$bpf_include" \
  -c "$root/bpf/medic.bpf.c" -o "$bpf_out/medic.bpf.o.tmp" >>"$log" 2>&1 ||
  skip "the BPF programs did not compile (see $log): $(grep -m 3 error "$log")"
mv "$bpf_out/medic.bpf.o.tmp" "$bpf_out/medic.bpf.o"
echo "medic: eBPF support built (native/build/Release/medic_bpf.node, native/build/bpf/medic.bpf.o)" >&2
