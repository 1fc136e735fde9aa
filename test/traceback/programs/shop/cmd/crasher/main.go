// Command crasher triggers one Go failure per scenario name (os.Args[1]) for the traceback corpus.
package main

import (
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"example.com/shop/internal/cart"
	"example.com/shop/internal/fail"
	"example.com/shop/internal/worker"
)

var scenarios = map[string]func(){
	"nil-deref":                 nilDeref,
	"nil-map-write":             nilMapWrite,
	"index-range":               indexRange,
	"slice-range":               sliceRange,
	"close-closed":              closeClosed,
	"close-nil":                 closeNil,
	"send-on-closed":            sendOnClosed,
	"type-assertion":            typeAssertion,
	"divide-by-zero":            divideByZero,
	"custom-string":             func() { panic("checkout: inventory service returned 503") },
	"custom-sprintf":            customSprintf,
	"custom-error":              func() { panic(fail.Wrapped("sku-9")) },
	"custom-multiline":          func() { panic(fail.MultiLine{Lines: []string{"name is empty", "price is negative"}}) },
	"custom-struct":             func() { panic(fail.Code{N: 7, Name: "bad"}) },
	"custom-int":                func() { panic(42) },
	"error-panics":              func() { panic(fail.Bad{}) },
	"recovered-chain":           recoveredChain,
	"repanic":                   repanic,
	"panic-in-defer":            panicInDefer,
	"goexit":                    goexit,
	"panic-after-goexit":        panicAfterGoexit,
	"concurrent-map-writes":     concurrentMapWrites,
	"concurrent-map-read-write": concurrentMapReadWrite,
	"concurrent-map-iteration":  concurrentMapIteration,
	"deadlock":                  deadlock,
	"deadlock-waitgroup":        deadlockWaitGroup,
	"stack-overflow":            stackOverflow,
	"out-of-memory":             outOfMemory,
	"unlock-unlocked":           unlockUnlocked,
	"runlock-unlocked":          runlockUnlocked,
	"negative-waitgroup":        negativeWaitGroup,
	"panic-all-goroutines":      panicAllGoroutines,
	"sigquit":                   sigquit,
	"race":                      race,
	"race-many":                 raceMany,
	"race-then-panic":           raceThenPanic,
	"panic-in-goroutine":        panicInGoroutine,
	"noisy-panic":               noisyPanic,
	"pool":                      pool,
}

func nilDeref() {
	var c *cart.Cart
	fmt.Println(c.Total())
}

func nilMapWrite() {
	c := &cart.Cart{Owner: "ann"}
	c.Add("sku-1", 1)
}

func indexRange() {
	c := cart.New("ann")
	c.Add("sku-1", 1)
	fmt.Println(c.At(len(os.Args) + 4))
}

func sliceRange() {
	c := cart.New("ann")
	c.Add("sku-1", 1)
	fmt.Println(c.Window(1, len(os.Args)+8))
}

func closeClosed() {
	ch := make(chan int)
	close(ch)
	closeAgain(ch)
}

func closeNil() {
	var ch chan int
	closeAgain(ch)
}

func closeAgain(ch chan int) { close(ch) }

func sendOnClosed() {
	ch := make(chan int, 1)
	close(ch)
	ch <- 1
}

func typeAssertion() { fmt.Println(cart.Describe("seven")) }

func divideByZero() {
	c := cart.New("ann")
	fmt.Println(c.Average(len(os.Args) - len(os.Args)))
}

func customSprintf() {
	panic(fmt.Sprintf("order %d has %d lines, want at most %d", 42, 120, 100))
}

func recoveredChain() {
	defer func() {
		r := recover()
		panic(fmt.Sprintf("while handling %v: cleanup failed", r))
	}()
	panic("first failure")
}

func repanic() {
	defer func() {
		r := recover()
		panic(r)
	}()
	var m map[string]int
	m["x"] = 1
}

func panicInDefer() {
	defer func() { panic("second panic in defer") }()
	panic("first panic")
}

func goexit() { runtime.Goexit() }

func panicAfterGoexit() {
	defer func() { panic("panic while goexiting") }()
	runtime.Goexit()
}

func concurrentMapWrites() {
	c := worker.NewCounts()
	worker.HammerWrites(c, 4)
	time.Sleep(10 * time.Second)
}

func concurrentMapReadWrite() {
	c := worker.NewCounts()
	worker.HammerReads(c)
	worker.HammerWrites(c, 1)
	time.Sleep(10 * time.Second)
}

func concurrentMapIteration() {
	c := worker.NewCounts()
	for i := 0; i < 100; i++ {
		c.Hit(fmt.Sprint(i))
	}
	worker.HammerWrites(c, 1)
	for {
		worker.Each(c, func(string, int) {})
	}
}

func deadlock() {
	var mu sync.Mutex
	mu.Lock()
	go func() { mu.Lock() }()
	worker.Wait(make(chan int))
}

func deadlockWaitGroup() {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done() }()
	wg.Wait()
}

func stackOverflow() {
	debug.SetMaxStack(1 << 20)
	fmt.Println(recurse(0))
}

func recurse(n int) int { return recurse(n+1) + n }

func outOfMemory() {
	var keep [][]byte
	for i := 0; ; i++ {
		keep = append(keep, make([]byte, 64<<20))
		keep[i][0] = 1
	}
}

func unlockUnlocked() {
	var mu sync.Mutex
	mu.Unlock()
}

func runlockUnlocked() {
	var mu sync.RWMutex
	mu.RUnlock()
}

func negativeWaitGroup() {
	var wg sync.WaitGroup
	wg.Done()
}

func panicAllGoroutines() {
	worker.ParkAll()
	ch := make(chan int)
	go worker.Recurse(150, ch)
	started := make(chan struct{})
	go worker.Spin(started)
	<-started
	time.Sleep(50 * time.Millisecond)
	var c *cart.Cart
	c.Add("sku-1", 1)
}

// sigquit parks goroutines, optionally waits (os.Args[2], a duration) so waits show minutes, then
// prints the ready line the generator waits for before it sends SIGQUIT.
func sigquit() {
	worker.ParkAll()
	if len(os.Args) > 2 {
		wait, err := time.ParseDuration(os.Args[2])
		if err != nil {
			panic(err)
		}
		// A GC stamps a blocked goroutine's wait start with the previous GC's start time,
		// which is unset during the first one: two GCs make the dump print minutes.
		runtime.GC()
		runtime.GC()
		time.Sleep(wait)
	}
	fmt.Println("ready")
	time.Sleep(time.Hour)
}

func race() {
	c := worker.NewCounts()
	done := make(chan bool)
	go func() {
		c.Inc()
		done <- true
	}()
	c.Inc()
	<-done
	fmt.Println(c.Value())
}

func raceMany() {
	c := worker.NewCounts()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.Inc() }()
	go func() { defer wg.Done(); c.Inc() }()
	wg.Wait()
	fmt.Println(c.Value(), c.Get("a"))
	racyAppend()
}

func racyAppend() {
	var s []int
	done := make(chan bool)
	go func() {
		s = append(s, 1)
		close(done)
	}()
	s = append(s, 2)
	<-done
	fmt.Println(len(s))
}

func raceThenPanic() {
	c := worker.NewCounts()
	done := make(chan bool)
	go func() { c.Inc(); done <- true }()
	fmt.Println(c.Value())
	<-done
	var cc *cart.Cart
	cc.Add("x", 1)
}

func panicInGoroutine() {
	done := make(chan bool)
	go func() {
		c := cart.New("ann")
		fmt.Println(c.At(3))
		done <- true
	}()
	<-done
}

// noisyPanic logs from other goroutines while main panics, so the trace interleaves with log lines.
func noisyPanic() {
	for i := 0; i < 3; i++ {
		go func(n int) {
			for j := 0; ; j++ {
				log.Printf("worker %d: processed batch %d", n, j)
				time.Sleep(time.Millisecond)
			}
		}(i)
	}
	time.Sleep(20 * time.Millisecond)
	c := &cart.Cart{Owner: "bob"}
	c.Add("sku-2", 2)
}

// pool parks goroutines with alike stacks (for buckets), then panics.
func pool() {
	worker.Pool()
	panic(fmt.Sprintf("pool exhausted after %d workers", 30))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crasher <scenario>")
		os.Exit(64)
	}
	run, ok := scenarios[os.Args[1]]
	if !ok {
		run, ok = extra[os.Args[1]]
	}
	if !ok {
		names := []string{}
		for n := range scenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintln(os.Stderr, "unknown scenario", os.Args[1], "; known:", names)
		os.Exit(64)
	}
	run()
}
