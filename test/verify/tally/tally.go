// Package tally counts events by key.
package tally

// Counter counts events by key.
type Counter struct {
	counts map[string]int
}

// New returns an empty counter.
func New() *Counter {
	return &Counter{counts: map[string]int{}}
}

// Add counts one event for key.
func (c *Counter) Add(key string) {
	c.counts[key]++
}

// Get is the count for key.
func (c *Counter) Get(key string) int {
	return c.counts[key]
}
