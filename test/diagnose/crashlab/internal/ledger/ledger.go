// Package ledger keeps ordered entries of any kind.
package ledger

// Ledger is an append-only list of entries.
type Ledger[T any] struct {
	entries []T
}

// Add appends an entry.
func (l *Ledger[T]) Add(v T) { l.entries = append(l.entries, v) }

// Nth returns the n-th entry, counting from 1.
func (l *Ledger[T]) Nth(n int) T {
	return l.entries[n]
}

// Window returns the last k entries.
func Window[T any](l *Ledger[T], k int) []T {
	start := len(l.entries) - k
	return l.entries[start:]
}
