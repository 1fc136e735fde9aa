// Package catalog prices carts from a price list.
package catalog

import (
	"encoding/json"
	"os"

	"example.com/shop/cart"
)

// Load reads a price list (SKU to cents) from a JSON file.
func Load(path string) (map[string]int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	prices := map[string]int{}
	return prices, json.Unmarshal(data, &prices)
}

// Total is what the cart costs under prices.
func Total(c *cart.Cart, prices map[string]int) int {
	sum := 0
	for _, sku := range c.SKUs() {
		sum += prices[sku] * c.Count(sku)
	}
	return sum
}
