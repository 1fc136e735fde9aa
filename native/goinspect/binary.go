// Opening a Go binary: ELF checks, build info, DWARF offsets, symbols and the pclntab line table.
package main

import (
	"debug/buildinfo"
	"debug/dwarf"
	"debug/elf"
	"debug/gosym"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// inspectError is printed as {"error": {...}}; kind is what the collector maps to an error code.
type inspectError struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func (e *inspectError) Error() string { return e.Kind + ": " + e.Message }

type segment struct {
	Vaddr  uint64 `json:"vaddr"`
	Offset uint64 `json:"offset"`
	Filesz uint64 `json:"filesz"`
}

type info struct {
	GoVersion string            `json:"goVersion"`
	Module    string            `json:"module"`
	Arch      string            `json:"arch"`
	PIE       bool              `json:"pie"`
	Segments  []segment         `json:"segments"`
	Symbols   map[string]uint64 `json:"symbols"`
	// Where to probe each runtime function: offset of its body past the stack check (prologue.go).
	ProbeOffsets map[string]uint64 `json:"probeOffsets"`
	Offsets      map[string]uint64 `json:"offsets"`
}

type goBinary struct {
	f       *elf.File
	info    info
	syms    []elf.Symbol // functions, sorted by address
	byName  map[string]elf.Symbol
	table   *gosym.Table
	typeOff map[string]uint64
	// DWARF, parsed once at open (the offsets need it); the inline index is built from it on
	// the first symbolize request.
	dwarf      *dwarf.Data
	inlineIdx  *inlineIndex
	inlineRead bool
}

// The runtime symbols the programs attach to or read.
var runtimeSymbols = []string{"runtime.gopanic", "runtime.newproc1", "runtime.gcStart", "runtime.sched", "runtime.types"}

func open(path string) (*goBinary, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, &inspectError{"not-elf", fmt.Sprintf("%s is not an ELF executable: %v", path, err)}
	}
	if f.Machine != elf.EM_X86_64 {
		return nil, &inspectError{"arch", fmt.Sprintf("%s is built for %s; the probes support x86-64 (amd64) only", path, f.Machine)}
	}
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return nil, &inspectError{"not-go", fmt.Sprintf("%s has no Go build information (not a Go binary?): %v", path, err)}
	}
	if minor, ok := goMinor(bi.GoVersion); ok && minor < 17 {
		return nil, &inspectError{"old-go", fmt.Sprintf("%s was built with %s; the probes read arguments from registers (Go 1.17+ register ABI)", path, bi.GoVersion)}
	}
	b := &goBinary{f: f, byName: map[string]elf.Symbol{}}
	b.info = info{GoVersion: bi.GoVersion, Module: bi.Path, Arch: "amd64", PIE: f.Type == elf.ET_DYN,
		Symbols: map[string]uint64{}, ProbeOffsets: map[string]uint64{}, Offsets: map[string]uint64{}}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			b.info.Segments = append(b.info.Segments, segment{p.Vaddr, p.Off, p.Filesz})
		}
	}
	syms, err := f.Symbols()
	if err != nil || len(syms) == 0 {
		return nil, &inspectError{"stripped", fmt.Sprintf("%s has no symbol table (built with -ldflags=-s or stripped); rebuild without -s to trace it", path)}
	}
	for _, s := range syms {
		b.byName[s.Name] = s
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
			b.syms = append(b.syms, s)
		}
	}
	sort.Slice(b.syms, func(i, j int) bool { return b.syms[i].Value < b.syms[j].Value })
	for _, name := range runtimeSymbols {
		s, ok := b.byName[name]
		if !ok {
			return nil, &inspectError{"symbols", fmt.Sprintf("%s has no %s symbol; unsupported Go runtime %s", path, name, bi.GoVersion)}
		}
		b.info.Symbols[name] = s.Value
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			b.info.ProbeOffsets[name] = b.probeOffset(s.Value)
		}
	}
	if err := b.readOffsets(path); err != nil {
		return nil, err
	}
	if err := b.readLineTable(path); err != nil {
		return nil, err
	}
	return b, nil
}

// goMinor parses "go1.21.3" (or "go1.26rc1") into 21.
func goMinor(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, "go1.")
	if !ok {
		return 0, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	return n, err == nil
}

// structField names one offset: the first struct name that exists wins (names changed across Go
// versions: runtime._type became internal/abi.Type in 1.21), and likewise the member names.
type structField struct {
	key     string
	structs []string
	members []string
}

var fields = []structField{
	{"gGoid", []string{"runtime.g"}, []string{"goid"}},
	{"gM", []string{"runtime.g"}, []string{"m"}},
	{"mP", []string{"runtime.m"}, []string{"p"}},
	{"pGoidcache", []string{"runtime.p"}, []string{"goidcache"}},
	{"pGoidcacheend", []string{"runtime.p"}, []string{"goidcacheend"}},
	{"schedGoidgen", []string{"runtime.schedt"}, []string{"goidgen"}},
	{"typeStr", []string{"internal/abi.Type", "runtime._type"}, []string{"Str", "str"}},
	{"typeKind", []string{"internal/abi.Type", "runtime._type"}, []string{"Kind_", "kind"}},
	{"typeTFlag", []string{"internal/abi.Type", "runtime._type"}, []string{"TFlag", "tflag"}},
}

// Offsets the probes use when the runtime has them (g.parentGoid exists since Go 1.21); 0 = absent.
var optionalFields = []structField{
	{"gParentGoid", []string{"runtime.g"}, []string{"parentGoid"}},
	{"gSched", []string{"runtime.g"}, []string{"sched"}},
	{"gobufBp", []string{"runtime.gobuf"}, []string{"bp"}},
}

func (b *goBinary) readOffsets(path string) error {
	d, err := b.f.DWARF()
	if err != nil {
		return &inspectError{"no-dwarf", fmt.Sprintf("%s has no DWARF (built with -ldflags=-w?): the goroutine id offset is read from it; rebuild without -w to trace it: %v", path, err)}
	}
	b.dwarf = d
	wanted := map[string]bool{}
	for _, fl := range append(fields, optionalFields...) {
		for _, s := range fl.structs {
			wanted[s] = true
		}
	}
	members := map[string]map[string]uint64{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return &inspectError{"no-dwarf", fmt.Sprintf("cannot read DWARF of %s: %v", path, err)}
		}
		if e == nil {
			break
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if e.Tag != dwarf.TagStructType || !wanted[name] || members[name] != nil {
			continue
		}
		m := map[string]uint64{}
		for {
			c, err := r.Next()
			if err != nil || c == nil || c.Tag == 0 {
				break
			}
			if c.Tag == dwarf.TagMember {
				if off, ok := c.Val(dwarf.AttrDataMemberLoc).(int64); ok {
					cn, _ := c.Val(dwarf.AttrName).(string)
					m[cn] = uint64(off)
				}
			}
			if c.Children {
				r.SkipChildren()
			}
		}
		members[name] = m
	}
	for _, fl := range fields {
		off, ok := findField(members, fl)
		if !ok {
			return &inspectError{"dwarf-layout", fmt.Sprintf("%s: DWARF has no %s.%s; unsupported Go runtime %s", path, fl.structs[0], fl.members[0], b.info.GoVersion)}
		}
		b.info.Offsets[fl.key] = off
	}
	for _, fl := range optionalFields {
		if off, ok := findField(members, fl); ok {
			b.info.Offsets[fl.key] = off
		}
	}
	b.typeOff = b.info.Offsets
	return nil
}

func findField(members map[string]map[string]uint64, fl structField) (uint64, bool) {
	for _, s := range fl.structs {
		for _, m := range fl.members {
			if off, ok := members[s][m]; ok {
				return off, true
			}
		}
	}
	return 0, false
}

func (b *goBinary) readLineTable(path string) error {
	sec := b.f.Section(".gopclntab")
	text := b.f.Section(".text")
	if sec == nil || text == nil {
		return &inspectError{"not-go", fmt.Sprintf("%s has no .gopclntab section", path)}
	}
	data, err := sec.Data()
	if err != nil {
		return &inspectError{"not-go", fmt.Sprintf("cannot read .gopclntab of %s: %v", path, err)}
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return &inspectError{"not-go", fmt.Sprintf("cannot parse .gopclntab of %s: %v", path, err)}
	}
	b.table = table
	return nil
}

// read copies n bytes at link-time address addr from the file's loaded segments.
func (b *goBinary) read(addr uint64, n int) ([]byte, error) {
	for _, p := range b.f.Progs {
		if p.Type == elf.PT_LOAD && addr >= p.Vaddr && addr+uint64(n) <= p.Vaddr+p.Filesz {
			buf := make([]byte, n)
			if _, err := p.ReadAt(buf, int64(addr-p.Vaddr)); err != nil {
				return nil, err
			}
			return buf, nil
		}
	}
	return nil, errors.New("address not in the file")
}
