// Package cart keeps shopping carts: quantities per SKU.
package cart

import "sort"

// Cart holds quantities by SKU.
type Cart struct {
	items map[string]int
}

// New returns an empty cart.
func New() *Cart {
	return &Cart{}
}

// Restore returns a cart holding previously saved quantities.
func Restore(saved map[string]int) *Cart {
	c := &Cart{items: map[string]int{}}
	for sku, n := range saved {
		c.items[sku] = n
	}
	return c
}

// Add puts n more of sku into the cart.
func (c *Cart) Add(sku string, n int) {
	c.items[sku] += n
}

// Count is how many of sku the cart holds.
func (c *Cart) Count(sku string) int {
	return c.items[sku]
}

// SKUs lists the SKUs in the cart, sorted.
func (c *Cart) SKUs() []string {
	out := make([]string, 0, len(c.items))
	for sku := range c.items {
		out = append(out, sku)
	}
	sort.Strings(out)
	return out
}
