// Finding where a Go function's body starts, past its stack-bound check, so a uprobe fires once per call.
package main

import "bytes"

// A uprobe on a function's first instruction fires again whenever that check fails: morestack
// (stack growth, or a preemption request in stackguard0) re-runs the function from its entry,
// with the same goroutine and often the same stack pointer. The instruction after the check's
// conditional jump runs exactly once per call, and SP, BP and *SP are still as at entry there
// (nothing is pushed before it), so probing it keeps the entry's view of the stack.
//
// The checks cmd/internal/obj/x86 emits with the register ABI (g in R14, stackguard0 at 16):
//
//	small frame:  CMPQ SP, 16(R14)                          49 3b 66 10
//	medium frame: LEAQ -n(SP), R12; CMPQ R12, 16(R14)       4c 8d 64 24 nn | 4c 8d a4 24 nnnnnnnn; 4d 3b 66 10
//	large frame:  MOVQ SP, R12; SUBQ $n, R12; JCS ...; CMPQ R12, 16(R14)
//	              49 89 e4; 49 81 ec nnnnnnnn; 72 nn | 0f 82 nnnnnnnn; 4d 3b 66 10
//
// each followed by JLS morestack: 76 nn | 0f 86 nnnnnnnn.
var (
	cmpSP  = []byte{0x49, 0x3b, 0x66, 0x10}
	cmpR12 = []byte{0x4d, 0x3b, 0x66, 0x10}
)

// bodyOffset returns the offset of the first instruction after the stack check, or 0 when the
// function has none (NOSPLIT functions: then the entry runs once per call anyway).
func bodyOffset(code []byte) uint64 {
	at := 0
	switch {
	case bytes.HasPrefix(code, cmpSP):
		at = len(cmpSP)
	case bytes.HasPrefix(code, []byte{0x4c, 0x8d, 0x64, 0x24}) && bytes.HasPrefix(code[5:], cmpR12):
		at = 5 + len(cmpR12)
	case bytes.HasPrefix(code, []byte{0x4c, 0x8d, 0xa4, 0x24}) && bytes.HasPrefix(code[8:], cmpR12):
		at = 8 + len(cmpR12)
	case bytes.HasPrefix(code, []byte{0x49, 0x89, 0xe4, 0x49, 0x81, 0xec}):
		at = 10
		switch {
		case len(code) > at && code[at] == 0x72:
			at += 2
		case bytes.HasPrefix(code[at:], []byte{0x0f, 0x82}):
			at += 6
		default:
			return 0
		}
		if !bytes.HasPrefix(code[at:], cmpR12) {
			return 0
		}
		at += len(cmpR12)
	default:
		return 0
	}
	switch {
	case len(code) > at && code[at] == 0x76:
		return uint64(at + 2)
	case bytes.HasPrefix(code[at:], []byte{0x0f, 0x86}):
		return uint64(at + 6)
	}
	return 0
}

// probeOffset is bodyOffset of the function at link-time address addr.
func (b *goBinary) probeOffset(addr uint64) uint64 {
	code, err := b.read(addr, 32)
	if err != nil {
		return 0
	}
	return bodyOffset(code)
}
