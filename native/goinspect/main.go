// Command goinspect reads a Go ELF binary for the eBPF collector: it prints what the probes need
// (Go version, struct offsets from DWARF, symbol addresses, load segments) as one JSON line, then
// answers JSON-line requests on stdin (symbolize PCs with pclntab, look up functions, decode a
// panic value) until stdin closes. Addresses are link-time (file) virtual addresses.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

type request struct {
	Op       string   `json:"op"`
	PCs      []uint64 `json:"pcs,omitempty"`
	Names    []string `json:"names,omitempty"`
	Type     uint64   `json:"type,omitempty"`
	Raw      []byte   `json:"raw,omitempty"`
	Str      []byte   `json:"str,omitempty"`
	StrTotal uint64   `json:"strTotal,omitempty"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goinspect BINARY  (then JSON requests on stdin)")
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	b, err := open(os.Args[1])
	if err != nil {
		_ = out.Encode(map[string]any{"error": err})
		return
	}
	_ = out.Encode(map[string]any{"info": b.info})
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			_ = out.Encode(map[string]any{"error": map[string]string{"kind": "request", "message": err.Error()}})
			continue
		}
		switch req.Op {
		case "symbolize":
			_ = out.Encode(map[string]any{"frames": b.symbolize(req.PCs)})
		case "lookup":
			_ = out.Encode(b.lookup(req.Names))
		case "panic":
			typ, msg := b.describePanic(req.Type, req.Raw, req.Str, req.StrTotal)
			_ = out.Encode(map[string]any{"type": typ, "message": msg})
		default:
			_ = out.Encode(map[string]any{"error": map[string]string{"kind": "request", "message": "unknown op " + req.Op}})
		}
	}
}
