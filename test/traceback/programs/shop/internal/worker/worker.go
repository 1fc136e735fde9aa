// Package worker runs goroutines that race, deadlock, leak and block in every state a dump can show.
package worker

import (
	"net"
	"os"
	"runtime"
	"sync"
	"time"
)

// Counts is written from several goroutines without a lock.
type Counts struct {
	m map[string]int
	n int
}

// NewCounts returns a counter with a map.
func NewCounts() *Counts { return &Counts{m: map[string]int{}} }

// Hit writes the map: concurrent calls crash with concurrent map writes.
func (c *Counts) Hit(key string) { c.m[key]++ }

// Get reads the map.
func (c *Counts) Get(key string) int { return c.m[key] }

// Inc increments a plain field: a data race under -race.
func (c *Counts) Inc() { c.n++ }

// Value reads the plain field.
func (c *Counts) Value() int { return c.n }

// HammerWrites starts n goroutines writing the same map forever.
func HammerWrites(c *Counts, n int) {
	for i := 0; i < n; i++ {
		go func() {
			for {
				c.Hit("k")
			}
		}()
	}
}

// HammerReads starts a goroutine reading the map forever.
func HammerReads(c *Counts) {
	go func() {
		for {
			_ = c.Get("k")
		}
	}()
}

// Wait blocks on a channel nobody sends on.
func Wait(ch chan int) int { return <-ch }

// Each iterates the map.
func Each(c *Counts, f func(string, int)) {
	for k, v := range c.m {
		f(k, v)
	}
}

// ParkAll starts goroutines blocked in many different states (channel, select, mutex, network,
// wait group, locked to thread) and returns once they are parked.
func ParkAll() {
	mu := &sync.Mutex{}
	mu.Lock()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	park(mu, ln)
}

func park(mu *sync.Mutex, ln net.Listener) {
	var started sync.WaitGroup
	started.Add(7)
	go func() { started.Done(); Wait(make(chan int)) }()
	go func() { started.Done(); select {} }()
	go func() {
		started.Done()
		select {
		case <-make(chan int):
		case <-time.After(time.Hour):
		}
	}()
	go func() { started.Done(); mu.Lock() }()
	go func() {
		runtime.LockOSThread()
		started.Done()
		Wait(make(chan int))
	}()
	go func() {
		started.Done()
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
	}()
	go func() {
		started.Done()
		var never sync.WaitGroup
		never.Add(1)
		never.Wait()
	}()
	started.Wait()
	time.Sleep(100 * time.Millisecond)
}

// Recurse calls itself depth times, then blocks: its goroutine's stack is deeper than the runtime prints.
func Recurse(depth int, ch chan int) int {
	if depth == 0 {
		return <-ch
	}
	return Recurse(depth-1, ch) + 1
}

// Spin keeps a goroutine running on another thread.
func Spin(started chan struct{}) {
	close(started)
	x := 0
	for {
		x++
		if x < 0 {
			os.Exit(3)
		}
	}
}

// Serve waits on its own channel: many goroutines with the same stack and different pointers.
//
//go:noinline
func Serve(ch chan int, started *sync.WaitGroup) int {
	started.Done()
	return <-ch
}

// Nap blocks with a plain integer argument: same stack, different values.
//
//go:noinline
func Nap(n int, started *sync.WaitGroup) {
	started.Done()
	select {}
}

// Pool starts 20 Serve goroutines and 10 Nap goroutines and returns once all are blocked.
func Pool() {
	var started sync.WaitGroup
	started.Add(30)
	for i := 0; i < 20; i++ {
		go Serve(make(chan int), &started)
	}
	for i := 0; i < 10; i++ {
		go Nap(i%2, &started)
	}
	started.Wait()
	time.Sleep(50 * time.Millisecond)
}
