package work

// Subscriber is the leak: every Subscribe starts a goroutine that waits on a channel
// nobody ever closes or sends to.
type Subscriber struct {
	updates chan string
}

// Subscribe leaks one goroutine per call.
func Subscribe() *Subscriber {
	s := &Subscriber{updates: make(chan string)}
	go s.listen()
	return s
}

func (s *Subscriber) listen() {
	for u := range s.updates {
		Sink += uint64(len(u))
	}
}

// Cache is the heap leak: entries are added on every request and never evicted.
type Cache struct {
	entries map[int][]byte
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{entries: map[int][]byte{}} }

// Put stores a 32 KiB value under key; nothing ever removes it.
func (c *Cache) Put(key int) {
	c.entries[key] = make([]byte, 32<<10)
}

// Registry panics on its first Register: its map was never made.
type Registry struct {
	byName map[string]int
}

// Register writes into a nil map.
func (r *Registry) Register(name string) {
	r.byName[name] = len(name)
}
