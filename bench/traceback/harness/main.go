// Command harness times panicparse v2 on a dump: ScanSnapshot then Aggregate(AnyPointer), in its
// default mode (guess paths, read and analyse source files) or with source analysis off.
// bench/traceback/run.ts builds it in a temp module that fetches panicparse from the Go module proxy.
//
// Usage: harness default|fast <dump>; prints one JSON line.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/maruel/panicparse/v2/stack"
)

func peakRSSKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			n, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return n
		}
	}
	return -1
}

// cpuMillis is the CPU time of the whole process (every thread: GC workers included), in ms.
func cpuMillis() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: harness default|fast <dump>")
		os.Exit(64)
	}
	opts := stack.DefaultOpts()
	if os.Args[1] == "fast" {
		opts.GuessPaths = false
		opts.AnalyzeSources = false
	}
	cpu0 := cpuMillis()
	start := time.Now()
	f, err := os.Open(os.Args[2])
	if err != nil {
		panic(err)
	}
	snap, _, err := stack.ScanSnapshot(bufio.NewReaderSize(f, 1<<20), io.Discard, opts)
	if err != nil && err != io.EOF {
		panic(err)
	}
	if snap == nil {
		panic("no snapshot")
	}
	agg := snap.Aggregate(stack.AnyPointer)
	elapsed := time.Since(start)
	cpu := cpuMillis() - cpu0
	f.Close()
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"ms":         float64(elapsed.Microseconds()) / 1000,
		"cpuMs":      cpu,
		"goroutines": len(snap.Goroutines),
		"buckets":    len(agg.Buckets),
		"peakKiB":    peakRSSKiB(),
	})
}
