// Package inventory keeps stock levels per warehouse.
package inventory

import "strings"

// Stock counts items per SKU.
type Stock struct {
	name   string
	counts map[string]int
	holds  map[string]int
}

// NewStock makes a stock for a warehouse; holds are meant to be made on first use.
func NewStock(name string) *Stock {
	return &Stock{name: name, counts: make(map[string]int)}
}

// Receive books incoming items.
func (s *Stock) Receive(sku string, qty int) {
	s.counts[strings.ToLower(sku)] += qty
}

// Hold reserves items for an order.
func (s *Stock) Hold(sku string, qty int) bool {
	key := strings.ToLower(sku)
	if s.counts[key] < qty {
		return false
	}
	s.counts[key] -= qty
	s.holds[key] += qty
	return true
}
