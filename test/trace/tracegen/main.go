// Command tracegen writes a Medic trace (NDJSON, schema v1, marked generated) of its own run:
// a steady worker pool, requests that each leak a subscriber goroutine, periodic GCs, one
// doubled probe hit (as an eBPF entry uprobe can fire twice), and, in `panic` mode, a
// nil-map write in a request goroutine whose panic output goes to stderr.
//
//	tracegen <events.ndjson> panic|calm
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
	"unsafe"
)

var rec *recorder

type registry struct{ byName map[string]int }

func main() {
	if len(os.Args) != 3 || (os.Args[2] != "panic" && os.Args[2] != "calm") {
		fmt.Fprintln(os.Stderr, "usage: tracegen <events.ndjson> panic|calm")
		os.Exit(2)
	}
	rec = newRecorder(os.Args[1])
	defer rec.close()
	startWorkers(4)
	for i := 1; i <= 40; i++ {
		handle(i)
		if i%10 == 0 {
			rec.gc()
		}
		time.Sleep(2 * time.Millisecond)
	}
	if os.Args[2] == "panic" {
		var wg sync.WaitGroup
		wg.Add(1)
		rec.spawn("main.process", func() { defer wg.Done(); process(&registry{}) })
		wg.Wait()
	}
}

func startWorkers(n int) {
	for i := 0; i < n; i++ {
		rec.spawn("main.worker", worker)
	}
}

var work = make(chan int)

func worker() {
	for range work {
	}
}

func handle(i int) {
	var local int
	e := rec.enter("main.handle", unsafe.Pointer(&local))
	if i == 7 {
		// The doubled hit an entry uprobe can produce: same thread, goroutine and stack pointer.
		e.TimeNs += 2000
		rec.write(e)
	}
	subscribe()
}

var never = make(chan struct{})

// subscribe leaks: the goroutine it starts waits on a channel nobody closes.
func subscribe() {
	rec.spawn("main.listen", func() { <-never })
}

func process(r *registry) {
	defer func() {
		if v := recover(); v != nil {
			rec.panicked(v)
			rec.close()
			panic(v)
		}
	}()
	lookup(r)
	r.byName["checkout"] = 1
}

func lookup(r *registry) int {
	var local int
	rec.enter("main.lookup", unsafe.Pointer(&local))
	return len(r.byName)
}
