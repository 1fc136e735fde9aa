// The requests goinspect answers: symbolizing PCs, looking up functions, and decoding a panic value.
package main

import (
	"debug/elf"
	"encoding/binary"
	"strconv"
	"strings"
)

// frame is what is at a PC: the innermost function (inlined or not) at file:line, then, when that
// code is inlined, the functions it is inlined into, outward, each at the line of its call.
type frame struct {
	Function string     `json:"function"`
	File     string     `json:"file,omitempty"`
	Line     int        `json:"line,omitempty"`
	Entry    uint64     `json:"entry"`
	Callers  []callSite `json:"callers,omitempty"`
}

func (b *goBinary) symbolize(pcs []uint64) []*frame {
	inlines := b.inlines()
	out := make([]*frame, len(pcs))
	for i, pc := range pcs {
		file, line, fn := b.table.PCToLine(pc)
		if fn == nil {
			continue
		}
		out[i] = &frame{Function: fn.Name, File: file, Line: line, Entry: fn.Entry}
		if inlines != nil {
			inlines.expand(out[i], pc, fn.End)
		}
	}
	return out
}

// inlines builds the inline index on first use (it walks all of DWARF); nil when DWARF cannot be
// walked, and frames then stay as pclntab gives them.
func (b *goBinary) inlines() *inlineIndex {
	if !b.inlineRead {
		b.inlineRead = true
		b.inlineIdx, _ = buildInlineIndex(b.dwarf)
	}
	return b.inlineIdx
}

type found struct {
	Addr   uint64 `json:"addr"`
	Offset uint64 `json:"offset"`
}

type lookupResult struct {
	Found   map[string]found    `json:"found"`
	Missing map[string][]string `json:"missing"`
}

// lookup finds function symbols by exact name; for a missing one it suggests names that end the
// same way (main.handle -> main.(*server).handle), since inlined or renamed functions are common.
func (b *goBinary) lookup(names []string) lookupResult {
	res := lookupResult{Found: map[string]found{}, Missing: map[string][]string{}}
	for _, name := range names {
		if s, ok := b.byName[name]; ok && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			res.Found[name] = found{s.Value, b.probeOffset(s.Value)}
			continue
		}
		short := name[strings.LastIndex(name, ".")+1:]
		similar := []string{}
		for _, s := range b.syms {
			if len(similar) < 5 && (strings.HasSuffix(s.Name, "."+short) || strings.HasSuffix(s.Name, ")."+short)) {
				similar = append(similar, s.Name)
			}
		}
		res.Missing[name] = similar
	}
	return res
}

const (
	kindMask    = 31
	kindBool    = 1
	kindInt     = 2
	kindUintptr = 12
	kindString  = 24
)

// typeName reads a *_type's name: Str is an offset from runtime.types to an encoded name
// (flags byte, uvarint length, bytes). tflagExtraStar marks a name stored with a leading '*'.
func (b *goBinary) typeName(addr uint64) (string, byte, bool) {
	hdr, err := b.read(addr, int(b.typeOff["typeStr"])+4)
	if err != nil {
		return "", 0, false
	}
	off := binary.LittleEndian.Uint32(hdr[b.typeOff["typeStr"]:])
	kind := hdr[b.typeOff["typeKind"]] & kindMask
	tflag := hdr[b.typeOff["typeTFlag"]]
	raw, err := b.read(b.info.Symbols["runtime.types"]+uint64(off), 1+binary.MaxVarintLen32)
	if err != nil {
		return "", kind, false
	}
	n, w := binary.Uvarint(raw[1:])
	if w <= 0 {
		return "", kind, false
	}
	name, err := b.read(b.info.Symbols["runtime.types"]+uint64(off)+1+uint64(w), int(n))
	if err != nil {
		return "", kind, false
	}
	s := string(name)
	if tflag&2 != 0 {
		s = strings.TrimPrefix(s, "*")
	}
	return s, kind, true
}

// Types whose Error() is their first string field, so the probe's string copy is the message.
var firstStringErrors = map[string]string{
	"*errors.errorString": "",
	"*fmt.wrapError":      "",
	"*fmt.wrapErrors":     "",
	"runtime.errorString": "runtime error: ",
	"runtime.plainError":  "",
}

// describePanic turns what the probe copied at runtime.gopanic into the type and the message Go
// prints. Messages of other error types need their Error method, which a probe cannot call: "".
func (b *goBinary) describePanic(typeAddr uint64, raw, str []byte, total uint64) (string, string) {
	name, kind, ok := b.typeName(typeAddr)
	if !ok {
		return "0x" + strconv.FormatUint(typeAddr, 16), ""
	}
	text := string(str)
	if total > uint64(len(str)) {
		text += "…" // the probe copies a bounded prefix (MEDIC_STR_MAX - 1 bytes)
	}
	if prefix, known := firstStringErrors[name]; known {
		return name, prefix + text
	}
	switch {
	case name == "runtime.boundsError" && len(raw) >= 18:
		return name, boundsMessage(raw)
	case kind == kindString:
		return name, text
	case kind >= kindInt && kind <= kindUintptr && len(raw) >= 8:
		v := binary.LittleEndian.Uint64(raw)
		if kind <= 6 { // signed kinds
			return name, strconv.FormatInt(int64(v), 10)
		}
		return name, strconv.FormatUint(v, 10)
	case kind == kindBool && len(raw) >= 1:
		return name, strconv.FormatBool(raw[0] != 0)
	}
	return name, ""
}

// Go's boundsErrorFmts / boundsNegErrorFmts (runtime/error.go), indexed by abi.BoundsErrorCode.
var boundsFmts = []string{
	"index out of range [%x] with length %y",
	"slice bounds out of range [:%x] with length %y",
	"slice bounds out of range [:%x] with capacity %y",
	"slice bounds out of range [%x:%y]",
	"slice bounds out of range [::%x] with length %y",
	"slice bounds out of range [::%x] with capacity %y",
	"slice bounds out of range [:%x:%y]",
	"slice bounds out of range [%x:%y:]",
	"cannot convert slice with length %y to array or pointer to array with length %x",
}
var boundsNegFmts = []string{
	"index out of range [%x]",
	"slice bounds out of range [:%x]",
	"slice bounds out of range [:%x]",
	"slice bounds out of range [%x:]",
	"slice bounds out of range [::%x]",
	"slice bounds out of range [::%x]",
	"slice bounds out of range [:%x:]",
	"slice bounds out of range [%x::]",
}

func boundsMessage(raw []byte) string {
	x := int64(binary.LittleEndian.Uint64(raw[0:]))
	y := int64(binary.LittleEndian.Uint64(raw[8:]))
	signed := raw[16] != 0
	code := int(raw[17])
	if code >= len(boundsFmts) {
		return ""
	}
	format := boundsFmts[code]
	if signed && x < 0 && code < len(boundsNegFmts) {
		format = boundsNegFmts[code]
	}
	xs := strconv.FormatUint(uint64(x), 10)
	if signed {
		xs = strconv.FormatInt(x, 10)
	}
	format = strings.ReplaceAll(format, "%x", xs)
	return "runtime error: " + strings.ReplaceAll(format, "%y", strconv.FormatInt(y, 10))
}
