// Package locks holds an account book guarded by a mutex, and a few ways to wait forever.
package locks

import "sync"

// Book is a balance sheet.
type Book struct {
	mu       sync.Mutex
	balances map[string]int
}

// NewBook makes a book.
func NewBook() *Book { return &Book{balances: map[string]int{}} }

// Deposit adds to an account.
func (b *Book) Deposit(acct string, amt int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.balances[acct] += amt
	b.audit(acct)
}

// audit checks an account; it takes the lock again.
func (b *Book) audit(acct string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.balances[acct]
}

// Release unlocks the book after a batch.
func (b *Book) Release() {
	b.mu.Unlock()
}

// AwaitReply waits for a reply nobody sends.
func AwaitReply() int {
	replies := make(chan int)
	go func() {
		// The producer gives up early and never sends.
	}()
	return <-replies
}

// WaitAll waits for more workers than it starts.
func WaitAll(n int) {
	var wg sync.WaitGroup
	wg.Add(n + 1)
	for i := 0; i < n; i++ {
		go wg.Done()
	}
	wg.Wait()
}
