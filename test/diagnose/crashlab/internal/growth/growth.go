// Package growth has a subscription hub that leaks goroutines and a cache that never evicts.
package growth

import "fmt"

// Hub fans events out to subscribers.
type Hub struct {
	subs []chan string
}

// Subscribe starts a goroutine that waits for one event.
func (h *Hub) Subscribe(id int) {
	ch := make(chan string)
	h.subs = append(h.subs, ch)
	go h.listen(id, ch)
}

func (h *Hub) listen(id int, ch chan string) {
	msg := <-ch
	_ = fmt.Sprint(id, msg)
}

// Cache remembers rendered pages forever.
type Cache struct {
	pages map[string][]byte
}

// NewCache makes a cache.
func NewCache() *Cache { return &Cache{pages: map[string][]byte{}} }

// Render stores a rendered page.
func (c *Cache) Render(key string) []byte {
	page := make([]byte, 64<<10)
	c.pages[key] = page
	return page
}
