// Package pkg holds one function of every naming shape the Go runtime prints; each records its own name.
package pkg

import "runtime"

// Names collects runtime.FuncForPC names in call order.
var Names []string

func record() {
	pc, _, _, _ := runtime.Caller(1)
	Names = append(Names, runtime.FuncForPC(pc).Name())
}

// T is a plain type with pointer and value receivers.
type T struct{ label string }

// L is a generic list.
type L[E any] struct{ items []E }

var hook = func() { record() }

func init() { record() }

func init() { record() }

// M has nested closures: func1, func1.1, func1.2 and func2.
func (t *T) M() {
	record()
	f := func() {
		record()
		g := func() { record() }
		g()
		func() { record() }()
	}
	f()
	h := func() { record() }
	h()
}

// V has a value receiver.
func (t T) V() { record() }

// Push is a method of a generic type.
func (l *L[E]) Push(e E) {
	record()
	func() { record() }()
	l.items = append(l.items, e)
}

// Map is a generic function.
func Map[A any](a A) A {
	record()
	func() { record() }()
	return a
}

// Run calls everything once.
func Run() {
	t := &T{label: "ünïcødé ✓"}
	t.M()
	t.V()
	hook()
	(&L[int]{}).Push(1)
	Map("x")
}
