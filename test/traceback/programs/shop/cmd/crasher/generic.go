//go:build go1.18

// Generic code in a traceback: shapes print as [...] in function names.
package main

type stack[T any] struct{ items []T }

func (s *stack[T]) pop() T {
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v
}

func first[T any](xs []T) T { return xs[0] }

func init() {
	extra["generic-pop"] = genericPop
	extra["generic-func"] = genericFunc
}

func genericPop() {
	s := &stack[string]{}
	_ = s.pop()
}

func genericFunc() { _ = first[int](nil) }
