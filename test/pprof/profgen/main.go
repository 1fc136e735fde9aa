// Command profgen runs a workload and writes the profiles Medic's ingest tests read.
//
//	profgen kinds <dir>           one profile of every kind (+ a goroutine debug=2 dump)
//	profgen goroutine-leak <dir>  two goroutine profiles (proto and debug=2) around a leak
//	profgen heap-leak <dir>       two heap profiles around a leak
//	profgen panic <dir>           CPU and heap profiles, then a nil-map panic on stderr
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"example.com/profgen/work"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: profgen kinds|goroutine-leak|heap-leak|panic <dir>")
		os.Exit(2)
	}
	dir := os.Args[2]
	switch os.Args[1] {
	case "kinds":
		kinds(dir)
	case "goroutine-leak":
		goroutineLeak(dir)
	case "heap-leak":
		heapLeak(dir)
	case "panic":
		crash(dir)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}

func kinds(dir string) {
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	profileCPU(dir, 400*time.Millisecond)
	work.Allocate(8)
	work.Contend(8)
	work.Block(20)
	work.StartPool(4)
	for i := 0; i < 12; i++ {
		work.Subscribe()
	}
	runtime.GC()
	for _, name := range []string{"heap", "allocs", "goroutine", "mutex", "block", "threadcreate"} {
		write(dir, name, 0, name+".pb.gz")
	}
	write(dir, "goroutine", 2, "goroutine-debug2.txt")
}

// goroutineLeak: a steady pool plus a leak that grows between two snapshots a second apart.
func goroutineLeak(dir string) {
	work.StartPool(6)
	for i := 0; i < 10; i++ {
		work.Subscribe()
	}
	time.Sleep(50 * time.Millisecond) // let the new goroutines park before the snapshot
	write(dir, "goroutine", 0, "goroutine-1.pb.gz")
	write(dir, "goroutine", 2, "goroutine-1.txt")
	time.Sleep(time.Second)
	for i := 0; i < 200; i++ {
		work.Subscribe()
	}
	time.Sleep(50 * time.Millisecond)
	write(dir, "goroutine", 0, "goroutine-2.pb.gz")
	write(dir, "goroutine", 2, "goroutine-2.txt")
}

// heapLeak: churn and a bounded allocation as noise, and a cache that only grows.
func heapLeak(dir string) {
	cache := work.NewCache()
	work.Allocate(4)
	for i := 0; i < 64; i++ {
		cache.Put(i)
	}
	runtime.GC()
	write(dir, "heap", 0, "heap-1.pb.gz")
	time.Sleep(time.Second)
	for i := 64; i < 2048; i++ {
		cache.Put(i)
	}
	runtime.GC()
	write(dir, "heap", 0, "heap-2.pb.gz")
	runtime.KeepAlive(cache)
}

func crash(dir string) {
	profileCPU(dir, 300*time.Millisecond)
	work.Allocate(4)
	runtime.GC()
	write(dir, "heap", 0, "heap.pb.gz")
	r := &work.Registry{}
	r.Register("checkout")
}

// profileCPU writes cpu.pb.gz while the hot loop runs for d.
func profileCPU(dir string, d time.Duration) {
	cpu := create(dir, "cpu.pb.gz")
	must(pprof.StartCPUProfile(cpu))
	work.Hot(d)
	pprof.StopCPUProfile()
	must(cpu.Close())
}

func write(dir, profile string, debug int, name string) {
	f := create(dir, name)
	must(pprof.Lookup(profile).WriteTo(f, debug))
	must(f.Close())
}

func create(dir, name string) *os.File {
	f, err := os.Create(filepath.Join(dir, name))
	must(err)
	return f
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
