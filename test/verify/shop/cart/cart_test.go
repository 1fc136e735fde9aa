package cart

import "testing"

func TestRestoreKeepsQuantities(t *testing.T) {
	c := Restore(map[string]int{"apple": 2, "pear": 1})
	if c.Count("apple") != 2 || c.Count("pear") != 1 {
		t.Fatalf("restored cart holds %v", c.items)
	}
}

func TestAddToRestoredCart(t *testing.T) {
	c := Restore(map[string]int{})
	c.Add("apple", 3)
	if c.Count("apple") != 3 {
		t.Fatalf("count = %d, want 3", c.Count("apple"))
	}
}

func TestSKUsSorted(t *testing.T) {
	c := Restore(map[string]int{"pear": 1, "apple": 1})
	got := c.SKUs()
	if len(got) != 2 || got[0] != "apple" || got[1] != "pear" {
		t.Fatalf("SKUs() = %v", got)
	}
}
