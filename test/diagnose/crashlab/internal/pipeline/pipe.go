// Package pipeline fans work out to workers and collects results.
package pipeline

import "sync"

// Batch runs jobs on workers and closes results when done.
type Batch struct {
	results chan int
	done    chan struct{}
	wg      sync.WaitGroup
}

// NewBatch makes a batch.
func NewBatch() *Batch {
	return &Batch{results: make(chan int, 16), done: make(chan struct{})}
}

// Finish closes the results channel.
func (b *Batch) Finish() {
	close(b.results)
}

// Stop signals workers to stop.
func (b *Batch) Stop() {
	close(b.done)
}

// Run starts n workers that each send one result.
func (b *Batch) Run(n int) {
	for i := 0; i < n; i++ {
		b.wg.Add(1)
		go func(v int) {
			defer b.wg.Done()
			b.results <- v * v
		}(i)
	}
}

// Drain reads what is there and finishes early, before the workers are done.
func (b *Batch) Drain() int {
	sum := <-b.results
	b.Finish()
	b.wg.Wait()
	return sum
}
