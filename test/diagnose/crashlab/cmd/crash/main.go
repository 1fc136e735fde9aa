// Command crash fails in the way its first argument names, so tests read what the Go runtime
// really prints (and the profiles it really writes) for each failure class.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"time"

	"example.com/crashlab/internal/convert"
	"example.com/crashlab/internal/growth"
	"example.com/crashlab/internal/inventory"
	"example.com/crashlab/internal/ledger"
	"example.com/crashlab/internal/locks"
	"example.com/crashlab/internal/pipeline"
	"example.com/crashlab/internal/shared"
	"example.com/crashlab/internal/vault"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crash <mode> [out-dir]")
		os.Exit(64)
	}
	out := "."
	if len(os.Args) > 2 {
		out = os.Args[2]
	}
	modes := map[string]func(){
		"nil-map-write":        nilMapWrite,
		"index-range":          func() { l := entries(); fmt.Println(l.Nth(3)) },
		"slice-range":          func() { fmt.Println(ledger.Window(entries(), 5)) },
		"closed-channel-close": func() { b := pipeline.NewBatch(); b.Stop(); b.Stop() },
		"nil-channel-close":    func() { var b pipeline.Batch; b.Finish() },
		"send-on-closed":       func() { b := pipeline.NewBatch(); b.Run(40); fmt.Println(b.Drain()) },
		"concurrent-map-write": func() { shared.Hammer(shared.NewHits(), 8, 1_000_000) },
		"race":                 race,
		"deadlock-mutex":       func() { locks.NewBook().Deposit("alice", 10) },
		"deadlock-channel":     func() { fmt.Println(locks.AwaitReply()) },
		"deadlock-waitgroup":   func() { locks.WaitAll(3) },
		"unlock-of-unlocked":   func() { locks.NewBook().Release() },
		"type-assertion":       func() { fmt.Println(convert.Settings{"port": "8080"}.Port()) },
		"divide-by-zero":       func() { fmt.Println(convert.Share(10, len(os.Args[1])-len("divide-by-zero"))) },
		"nil-deref":            func() { fmt.Println(convert.OwnerName(&convert.Resource{ID: "r1"})) },
		"stack-overflow":       stackOverflow,
		"custom-panic":         func() { fmt.Println(convert.MustGet(convert.Settings{}, "db")) },
		"goroutine-leak":       func() { goroutineLeak(out) },
		"heap-leak":            func() { heapLeak(out) },
		"secret-panic":         func() { fmt.Println(vault.Open(os.Getenv("CRASH_SECRET"))) },
		"injection":            func() { vault.Audit(os.Getenv("CRASH_MESSAGE")) },
	}
	mode, ok := modes[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(64)
	}
	mode()
}

func nilMapWrite() {
	s := inventory.NewStock("east")
	s.Receive("LAMP", 5)
	fmt.Println(s.Hold("lamp", 2))
}

func entries() *ledger.Ledger[string] {
	l := &ledger.Ledger[string]{}
	for _, v := range []string{"open", "paid", "shipped"} {
		l.Add(v)
	}
	return l
}

func race() {
	g := &shared.Gauge{}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			g.Report(v)
		}(i)
	}
	fmt.Println(g.Last())
	wg.Wait()
}

func stackOverflow() {
	debug.SetMaxStack(1 << 20)
	n := &convert.Node{}
	n.Parent = n
	fmt.Println(n.Depth())
}

// profile writes one named profile and notes when it was taken, for the test's incident.json.
type taken struct {
	Kind    string `json:"kind"`
	File    string `json:"file"`
	TakenAt string `json:"takenAt"`
}

func writeProfile(out, kind, file string, list *[]taken) {
	f, err := os.Create(filepath.Join(out, file))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup(kind).WriteTo(f, 0); err != nil {
		panic(err)
	}
	*list = append(*list, taken{Kind: kind, File: file, TakenAt: time.Now().UTC().Format(time.RFC3339Nano)})
}

func saveList(out string, list []taken) {
	b, _ := json.Marshal(list)
	if err := os.WriteFile(filepath.Join(out, "profiles.json"), b, 0o644); err != nil {
		panic(err)
	}
}

func goroutineLeak(out string) {
	var list []taken
	hub := &growth.Hub{}
	for i := 0; i < 50; i++ {
		hub.Subscribe(i)
	}
	// Let the new goroutines reach their receive: a goroutine that never ran has no stack to profile.
	time.Sleep(200 * time.Millisecond)
	writeProfile(out, "goroutine", "goroutine-1.pb.gz", &list)
	for i := 50; i < 450; i++ {
		hub.Subscribe(i)
	}
	time.Sleep(1000 * time.Millisecond)
	writeProfile(out, "goroutine", "goroutine-2.pb.gz", &list)
	saveList(out, list)
}

var keep *growth.Cache

func heapLeak(out string) {
	runtime.MemProfileRate = 4096
	var list []taken
	keep = growth.NewCache()
	for i := 0; i < 100; i++ {
		keep.Render(fmt.Sprint("page-", i))
	}
	runtime.GC()
	writeProfile(out, "heap", "heap-1.pb.gz", &list)
	time.Sleep(1100 * time.Millisecond)
	for i := 100; i < 900; i++ {
		keep.Render(fmt.Sprint("page-", i))
	}
	runtime.GC()
	writeProfile(out, "heap", "heap-2.pb.gz", &list)
	saveList(out, list)
}
