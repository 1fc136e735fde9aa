package main

// The generator's stand-in for the eBPF collector: the program reports its own goroutine
// creations, GC starts, probed function entries and panic as Medic trace events (schema v1,
// src/core/model/trace.ts). Every file it writes starts with a header marked generated.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

type frame struct {
	Function string `json:"function"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	PC       string `json:"pc,omitempty"`
}

type panicInfo struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

type event struct {
	V          int        `json:"v"`
	Probe      string     `json:"probe"`
	Pid        int        `json:"pid"`
	Tid        int        `json:"tid"`
	Goid       int64      `json:"goid"`
	ParentGoid *int64     `json:"parentGoid,omitempty"`
	TimeNs     int64      `json:"timeNs"`
	SP         string     `json:"sp,omitempty"`
	Stack      []frame    `json:"stack"`
	Panic      *panicInfo `json:"panic,omitempty"`
	Function   string     `json:"function,omitempty"`
}

type header struct {
	V         int      `json:"v"`
	Kind      string   `json:"kind"`
	Source    string   `json:"source"`
	Generated bool     `json:"generated"`
	Binary    string   `json:"binary"`
	Pid       int      `json:"pid"`
	GoVersion string   `json:"goVersion"`
	Probes    []string `json:"probes"`
	StartNs   int64    `json:"startNs"`
}

type recorder struct {
	mu      sync.Mutex
	out     *bufio.Writer
	file    *os.File
	parents sync.Map // goid -> parent goid
}

func newRecorder(path string) *recorder {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	r := &recorder{out: bufio.NewWriter(f), file: f}
	r.write(header{V: 1, Kind: "header", Source: "generator", Generated: true, Binary: os.Args[0],
		Pid: os.Getpid(), GoVersion: runtime.Version(),
		Probes:  []string{"panic", "goroutine-create", "gc-start", "user:main.handle", "user:main.lookup"},
		StartNs: monotonic()})
	return r
}

func (r *recorder) write(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out.Write(b)
	r.out.WriteByte('\n')
}

func (r *recorder) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out.Flush()
	r.file.Close()
}

// emit records one event for the calling goroutine; skip drops the probe helpers' own frames.
func (r *recorder) emit(probe, function string, sp uintptr, skip int, p *panicInfo) event {
	g := goid()
	e := event{V: 1, Probe: probe, Pid: os.Getpid(), Tid: syscall.Gettid(), Goid: g, TimeNs: monotonic(),
		Stack: stack(skip + 1), Panic: p, Function: function}
	if sp != 0 {
		e.SP = fmt.Sprintf("0x%x", sp)
	}
	if parent, ok := r.parents.Load(g); ok {
		pg := parent.(int64)
		e.ParentGoid = &pg
	}
	r.write(e)
	return e
}

// enter is a user-function probe at the entry of the caller; local is the address of one of its locals.
func (r *recorder) enter(function string, local unsafe.Pointer) event {
	return r.emit("user-function", function, uintptr(local), 2, nil)
}

// spawn records a goroutine-create at the caller's `go` site and starts fn on a new goroutine.
func (r *recorder) spawn(function string, fn func()) {
	r.emit("goroutine-create", function, 0, 2, nil)
	parent := goid()
	go func() {
		r.parents.Store(goid(), parent)
		fn()
	}()
}

func (r *recorder) gc() {
	r.emit("gc-start", "", 0, 2, nil)
	runtime.GC()
}

// panicked records the recovered value of a panic the way the collector reads runtime.gopanic's argument.
func (r *recorder) panicked(value any) {
	msg := fmt.Sprint(value)
	if err, ok := value.(error); ok {
		msg = err.Error()
	}
	r.emit("panic", "", 0, 3, &panicInfo{Type: fmt.Sprintf("%T", value), Message: msg})
}

func stack(skip int) []frame {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(skip+1, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var out []frame
	for {
		f, more := frames.Next()
		out = append(out, frame{Function: f.Function, File: f.File, Line: f.Line, PC: fmt.Sprintf("0x%x", f.PC)})
		if !more {
			return out
		}
	}
}

// goid reads the goroutine id from the runtime's own stack header ("goroutine 18 [running]:").
func goid() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	fields := strings.Fields(string(buf))
	if len(fields) < 2 {
		return 0
	}
	id, _ := strconv.ParseInt(fields[1], 10, 64)
	return id
}

// monotonic is CLOCK_MONOTONIC in nanoseconds, the clock bpf_ktime_get_ns reads.
func monotonic() int64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}
