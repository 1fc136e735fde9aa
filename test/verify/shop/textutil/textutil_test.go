package textutil

import "testing"

func TestTitle(t *testing.T) {
	if Title("cart") != "Cart" {
		t.Fatal(Title("cart"))
	}
}
