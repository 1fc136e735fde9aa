package catalog

import (
	"testing"

	"example.com/shop/cart"
)

// The price list lives beside the module, outside this package's directory: a test that WASI,
// which sees only the package directory, cannot run.
func TestTotalFromSharedPriceList(t *testing.T) {
	prices, err := Load("../testdata/prices.json")
	if err != nil {
		t.Fatal(err)
	}
	c := cart.Restore(map[string]int{"apple": 2, "pear": 1})
	if got := Total(c, prices); got != 2*30+45 {
		t.Fatalf("Total = %d", got)
	}
}
