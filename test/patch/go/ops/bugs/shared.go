package bugs

// Stats is updated from many goroutines without a lock.
type Stats struct {
	counts map[string]int
	total  int
}

// NewStats returns empty stats.
func NewStats() *Stats {
	return &Stats{counts: map[string]int{}}
}

// Add counts key once.
func (s *Stats) Add(key string) {
	s.counts[key]++
	s.total++
}

// Get reads one count.
func (s *Stats) Get(key string) int {
	return s.counts[key]
}

// Cache grows without bound.
type Cache struct {
	entries map[string][]byte
	log     []string
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{entries: map[string][]byte{}}
}

// Put stores v under k and logs k.
func (c *Cache) Put(k string, v []byte) {
	c.entries[k] = v
	c.log = append(c.log, k)
}

// Len reports the number of entries and log lines.
func (c *Cache) Len() (int, int) {
	return len(c.entries), len(c.log)
}
