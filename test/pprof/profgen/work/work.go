// Package work holds the workloads whose profiles the ingest tests read: a hot loop,
// allocations, lock contention, blocking, a goroutine leak, a heap leak and a nil-map panic.
package work

import (
	"sync"
	"time"
)

// Sink keeps results alive so the compiler cannot drop the work.
var Sink uint64

// Hot burns CPU in a loop of its own so it dominates a CPU profile.
func Hot(d time.Duration) {
	deadline := time.Now().Add(d)
	x := uint64(1)
	for time.Now().Before(deadline) {
		for i := 0; i < 100000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	Sink += x
}

// Retained is what Allocate keeps live (in-use heap).
var Retained [][]byte

// Allocate keeps `mb` MiB live in 64 KiB chunks and churns as much garbage.
func Allocate(mb int) {
	for i := 0; i < mb*16; i++ {
		Retained = append(Retained, make([]byte, 64<<10))
		churn()
	}
}

//go:noinline
func churn() {
	b := make([]byte, 64<<10)
	Sink += uint64(len(b))
}

// Contend makes `n` goroutines fight over one mutex, each holding it briefly.
func Contend(n int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				mu.Lock()
				time.Sleep(50 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// Block parks goroutines on a channel the main goroutine feeds slowly.
func Block(n int) {
	ch := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ch
		}()
	}
	for i := 0; i < n; i++ {
		time.Sleep(time.Millisecond)
		ch <- i
	}
	wg.Wait()
}

// Pool is well-behaved background work: a fixed set of goroutines that never grows.
type Pool struct{ jobs chan func() }

// StartPool starts `n` workers waiting for jobs.
func StartPool(n int) *Pool {
	p := &Pool{jobs: make(chan func())}
	for i := 0; i < n; i++ {
		go p.worker()
	}
	return p
}

func (p *Pool) worker() {
	for job := range p.jobs {
		job()
	}
}
