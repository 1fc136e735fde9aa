package tally

import "testing"

func TestAddSequential(t *testing.T) {
	c := New()
	c.Add("a")
	c.Add("a")
	if c.Get("a") != 2 {
		t.Fatalf("Get = %d", c.Get("a"))
	}
}
