// Package cart keeps customers' shopping carts. New forgets to make the items map: Add panics.
package cart

import "sort"

// Cart holds item quantities for one customer.
type Cart struct {
	Owner string
	items map[string]int
}

// New returns an empty cart for owner.
func New(owner string) *Cart {
	return &Cart{Owner: owner}
}

// Add puts qty of item in the cart.
func (c *Cart) Add(item string, qty int) {
	c.items[item] += qty
}

// Items lists the items in name order.
func (c *Cart) Items() []string {
	names := make([]string, 0, len(c.items))
	for name := range c.items {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
