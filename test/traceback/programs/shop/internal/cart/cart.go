// Package cart holds the shopping-cart code whose bugs the corpus scenarios trigger.
package cart

import "fmt"

// Cart maps SKUs to quantities; a zero Cart has a nil map (the nil-map-write bug).
type Cart struct {
	Owner string
	items map[string]int
	order []string
}

// New returns a ready cart.
func New(owner string) *Cart {
	return &Cart{Owner: owner, items: map[string]int{}}
}

// Add writes to the map without initialising it.
func (c *Cart) Add(sku string, n int) {
	c.items[sku] += n
	c.order = append(c.order, sku)
}

// Total dereferences c: nil carts crash here.
func (c *Cart) Total() int {
	total := 0
	for _, n := range c.items {
		total += n
	}
	return total + len(c.Owner)
}

// At indexes the order slice without a bounds check.
func (c *Cart) At(i int) string {
	return c.order[i]
}

// Window slices the order without checking the bounds.
func (c *Cart) Window(from, to int) []string {
	return c.order[from:to]
}

// Average divides by the number of lines.
func (c *Cart) Average(lines int) int {
	return c.Total() / lines
}

// Describe asserts the dynamic type of a value.
func Describe(v interface{}) string {
	return fmt.Sprint(v.(int) + 1)
}
