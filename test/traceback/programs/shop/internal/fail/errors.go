// Package fail holds panic values of several shapes: errors, multi-line errors, Stringers, structs.
package fail

import (
	"errors"
	"fmt"
)

// ErrStock is a sentinel error value.
var ErrStock = errors.New("out of stock")

// Wrapped returns an error that wraps ErrStock.
func Wrapped(sku string) error {
	return fmt.Errorf("reserve %q: %w", sku, ErrStock)
}

// MultiLine is an error whose message spans several lines.
type MultiLine struct{ Lines []string }

func (m MultiLine) Error() string {
	s := "validation failed:"
	for _, l := range m.Lines {
		s += "\n  - " + l
	}
	return s
}

// Code is a plain struct used as a panic value.
type Code struct {
	N    int
	Name string
}

// Bad is an error whose Error method itself panics.
type Bad struct{}

func (Bad) Error() string { panic("Error() of fail.Bad panicked") }
