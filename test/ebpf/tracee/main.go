// Command tracee is the Go program the eBPF tests probe. It does nothing on its own: each line on
// stdin is a command, and each command's result is printed as one JSON line, so a test can
// attach first, then trigger goroutines, GC, user calls and a panic, and compare what the probes
// saw with what the program reports (goroutine ids included).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

var started = make(chan uint64, 1024)

// goid parses the current goroutine's id from its stack header: "goroutine 18 [running]:".
func goid() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	fields := strings.Fields(string(buf))
	id, _ := strconv.ParseUint(fields[1], 10, 64)
	return id
}

//go:noinline
func worker() { started <- goid() }

// handle is not a leaf, so it has a stack check: preemption requests and stack growth make
// morestack re-run its entry, which is what the probes must not count twice.
//
//go:noinline
func handle(i int) int { return twice(i) + 1 }

//go:noinline
func twice(i int) int { return i * 2 }

// relay is small enough for the compiler to inline into main: a probe in twice then sees a return
// address inside relay's inlined body, which symbolization must expand into relay and main.
func relay(i int) int {
	return twice(i) - 1 // relay calls twice
}

// descend recurses with a padded frame, so the goroutine's stack grows (and is copied) on the way.
//
//go:noinline
func descend(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return descend(n-1) + handle(n) + int(pad[n%64])
}

var sink map[string]int

//go:noinline
func explode(kind, msg string) {
	report(map[string]any{"panicking": goid()})
	switch kind {
	case "error":
		panic(errors.New(msg))
	case "nilmap":
		sink[msg] = 1
	case "index":
		n, _ := strconv.Atoi(msg)
		s := make([]int, 3)
		_ = s[n]
	}
	panic(msg)
}

func report(v any) {
	line, _ := json.Marshal(v)
	fmt.Println(string(line))
}

func main() {
	report(map[string]any{"ready": os.Getpid(), "goid": goid()})
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd := strings.Fields(in.Text())
		if len(cmd) == 0 {
			continue
		}
		n := 0
		if len(cmd) > 1 {
			n, _ = strconv.Atoi(cmd[1])
		}
		switch cmd[0] {
		case "spawn":
			ids := make([]uint64, 0, n)
			for i := 0; i < n; i++ {
				go worker()
			}
			for i := 0; i < n; i++ {
				ids = append(ids, <-started)
			}
			report(map[string]any{"spawned": ids, "parent": goid()})
		case "gc":
			for i := 0; i < n; i++ {
				runtime.GC()
			}
			report(map[string]any{"gc": n})
		case "handle":
			total := 0
			for i := 0; i < n; i++ {
				total += handle(i)
			}
			report(map[string]any{"handled": n, "goid": goid(), "total": total})
		case "inline":
			total := 0
			for i := 0; i < n; i++ {
				total += relay(i) // main calls relay
			}
			report(map[string]any{"relayed": n, "total": total})
		case "deep":
			done := make(chan int)
			go func() { done <- descend(n) }()
			report(map[string]any{"descended": n + 1, "handled": n, "result": <-done})
		case "panic":
			done := make(chan struct{})
			go func() {
				defer close(done)
				explode(cmd[1], strings.Join(cmd[2:], " "))
			}()
			<-done
		}
	}
}
