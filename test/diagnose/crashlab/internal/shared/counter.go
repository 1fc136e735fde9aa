// Package shared counts hits across request handlers.
package shared

import "sync"

// Hits counts requests per path.
type Hits struct {
	byPath map[string]int
}

// NewHits makes a counter.
func NewHits() *Hits { return &Hits{byPath: map[string]int{}} }

// Record counts one hit.
func (h *Hits) Record(path string) {
	h.byPath[path]++
}

// Hammer records hits from many goroutines at once.
func Hammer(h *Hits, workers, n int) {
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				h.Record("/p")
			}
		}()
	}
	wg.Wait()
}

// Gauge holds the last value a worker reported.
type Gauge struct {
	mu    sync.Mutex
	last  int
	count int
}

// Report stores a value; it forgets the lock.
func (g *Gauge) Report(v int) {
	g.last = v
	g.mu.Lock()
	g.count++
	g.mu.Unlock()
}

// Last reads the last value under the lock.
func (g *Gauge) Last() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last
}
