// Inlined calls, from DWARF: pclntab (debug/gosym) names only the physical function at a PC,
// with the file and line of the innermost inlined body, so a frame inside inlined code would
// pair one function's name with another's line. DWARF's inlined-subroutine entries give the
// chain back: which functions are inlined at the PC, and where each was called from.
package main

import (
	"debug/dwarf"
	"sort"
)

// inlineRange is one address range of one inlined call.
type inlineRange struct {
	lo, hi   uint64
	depth    int // 0: inlined straight into the physical function
	origin   dwarf.Offset
	name     string
	callFile string
	callLine int
}

// inlineIndex holds every inlined call's ranges, sorted by start address.
type inlineIndex struct {
	ranges []inlineRange
}

// callSite is a frame outside the innermost one: a function and the line it calls from.
type callSite struct {
	Function string `json:"function"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
}

func buildInlineIndex(d *dwarf.Data) (*inlineIndex, error) {
	idx := &inlineIndex{}
	r := d.Reader()
	var files []*dwarf.LineFile
	// Tags of the open entries (those with children), innermost last.
	var open []dwarf.Tag
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		if e.Tag == 0 {
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
			continue
		}
		switch e.Tag {
		case dwarf.TagCompileUnit:
			files = nil
			if lr, err := d.LineReader(e); err == nil && lr != nil {
				files = lr.Files()
			}
		case dwarf.TagInlinedSubroutine:
			idx.add(d, e, files, inlineDepth(open))
		}
		if e.Children {
			open = append(open, e.Tag)
		}
	}
	names := map[dwarf.Offset]string{}
	for i := range idx.ranges {
		rg := &idx.ranges[i]
		name, ok := names[rg.origin]
		if !ok {
			name = originName(r, rg.origin)
			names[rg.origin] = name
		}
		rg.name = name
	}
	sort.SliceStable(idx.ranges, func(i, j int) bool { return idx.ranges[i].lo < idx.ranges[j].lo })
	return idx, nil
}

func inlineDepth(open []dwarf.Tag) int {
	n := 0
	for _, t := range open {
		if t == dwarf.TagInlinedSubroutine {
			n++
		}
	}
	return n
}

func (idx *inlineIndex) add(d *dwarf.Data, e *dwarf.Entry, files []*dwarf.LineFile, depth int) {
	origin, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
	if !ok {
		return
	}
	site := inlineRange{depth: depth, origin: origin}
	if line, ok := e.Val(dwarf.AttrCallLine).(int64); ok {
		site.callLine = int(line)
	}
	if fi, ok := e.Val(dwarf.AttrCallFile).(int64); ok && fi >= 0 && int(fi) < len(files) && files[fi] != nil {
		site.callFile = files[fi].Name
	}
	ranges, err := d.Ranges(e)
	if err != nil {
		return
	}
	for _, rg := range ranges {
		site.lo, site.hi = rg[0], rg[1]
		idx.ranges = append(idx.ranges, site)
	}
}

func originName(r *dwarf.Reader, off dwarf.Offset) string {
	r.Seek(off)
	e, err := r.Next()
	if err != nil || e == nil {
		return "?"
	}
	name, _ := e.Val(dwarf.AttrName).(string)
	if name == "" {
		return "?"
	}
	return name
}

// at returns the inlined calls covering pc inside the physical function [entry, end), outermost
// first.
func (idx *inlineIndex) at(pc, entry, end uint64) []inlineRange {
	i := sort.Search(len(idx.ranges), func(i int) bool { return idx.ranges[i].lo >= entry })
	var chain []inlineRange
	for ; i < len(idx.ranges) && idx.ranges[i].lo <= pc && idx.ranges[i].lo < end; i++ {
		if rg := idx.ranges[i]; pc < rg.hi {
			chain = append(chain, rg)
		}
	}
	sort.SliceStable(chain, func(a, b int) bool { return chain[a].depth < chain[b].depth })
	return chain
}

// expand turns pclntab's answer for pc (the physical function, the innermost file and line) into
// the innermost frame and its callers, outward, ending with the physical function.
func (idx *inlineIndex) expand(fr *frame, pc, end uint64) {
	chain := idx.at(pc, fr.Entry, end)
	if len(chain) == 0 {
		return
	}
	physical := fr.Function
	fr.Function = chain[len(chain)-1].name
	for k := len(chain) - 1; k >= 0; k-- {
		caller := physical
		if k > 0 {
			caller = chain[k-1].name
		}
		fr.Callers = append(fr.Callers, callSite{Function: caller, File: chain[k].callFile, Line: chain[k].callLine})
	}
}
