// Command dumpgen parks N goroutines on 20 distinct stacks (depth 5 to 22) and panics with
// GOTRACEBACK=all, printing the goroutine dump the traceback benchmark parses.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
)

// order is each goroutine's own state; its pointer is the argument every frame prints.
type order struct{ id, depth, kind, lines int }

var (
	mu    sync.Mutex
	ready sync.WaitGroup
	// Nobody sends on recv and nobody receives from send: their goroutines wait forever.
	recv = make(chan int)
	send = make(chan int)
)

// leaf blocks in one of four states: chan receive, select (no cases), sync.Mutex.Lock, chan send.
//
//go:noinline
func leaf(o *order) int {
	ready.Done()
	switch o.kind {
	case 0:
		return <-recv + o.id
	case 1:
		select {}
	case 2:
		mu.Lock()
		return o.id
	default:
		send <- o.id
		return o.lines
	}
}

// The levels rotate between four functions so stacks read like real call chains. Each uses o
// after its call, so o is spilled and the traceback prints the real pointer, not a stale register.
//
//go:noinline
func handle(o *order) int {
	if o.depth--; o.depth <= 0 {
		return leaf(o)
	}
	r := decode(o)
	return r + o.lines
}

//go:noinline
func decode(o *order) int {
	if o.depth--; o.depth <= 0 {
		return leaf(o)
	}
	r := validate(o)
	return r + o.id
}

//go:noinline
func validate(o *order) int {
	if o.depth--; o.depth <= 0 {
		return leaf(o)
	}
	r := store(o)
	return r - o.lines
}

//go:noinline
func store(o *order) int {
	if o.depth--; o.depth <= 0 {
		return leaf(o)
	}
	r := handle(o)
	return r * o.kind
}

// shape s (0..19) enters at one of the four functions with 3 to 20 levels below the entry
// frame, so with the goroutine's entry and leaf frames its stack is 5 to 22 frames deep.
func shape(s, id int) {
	o := &order{id: id, depth: 3 + (s*7)%18, kind: s % 4, lines: id % 7}
	switch (s / 4) % 4 {
	case 0:
		handle(o)
	case 1:
		decode(o)
	case 2:
		validate(o)
	default:
		store(o)
	}
}

func main() {
	n, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "usage: dumpgen <goroutines>")
		os.Exit(64)
	}
	debug.SetTraceback("all")
	mu.Lock()
	ready.Add(n)
	for i := 0; i < n; i++ {
		go shape(i%20, i)
	}
	ready.Wait()
	panic(fmt.Sprintf("dumpgen: %d goroutines parked", n))
}
