// Package watch holds failures that do not panic: a re-entered lock, a goroutine that can never send, a release an error path skips.
package watch

import (
	"errors"
	"sync"
)

// Counter counts keys; Bump holds mu while calling Get, which locks it again.
type Counter struct {
	mu sync.Mutex
	n  map[string]int
}

// NewCounter returns an empty counter.
func NewCounter() *Counter {
	return &Counter{n: map[string]int{}}
}

// Bump adds one to key.
func (c *Counter) Bump(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[key] = c.Get(key) + 1
}

// Get reads key.
func (c *Counter) Get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// Notify starts a goroutine whose send nobody receives.
func Notify(v int) {
	ch := make(chan int)
	go func() {
		ch <- v
	}()
}

// Pool hands out slots that must be given back.
type Pool struct {
	mu   sync.Mutex
	open map[int]bool
	next int
}

// NewPool returns an empty pool.
func NewPool() *Pool {
	return &Pool{open: map[int]bool{}}
}

// Acquire reserves a slot.
func (p *Pool) Acquire() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next++
	p.open[p.next] = true
	return p.next
}

// Release gives a slot back.
func (p *Pool) Release(id int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.open, id)
}

// Len counts the slots held.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.open)
}

// Use takes a slot for a job; a job that fails keeps its slot for ever.
func (p *Pool) Use(job string) error {
	id := p.Acquire()
	if job == "" {
		return errors.New("empty job")
	}
	p.Release(id)
	return nil
}
