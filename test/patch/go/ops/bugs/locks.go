package bugs

import "sync"

// Ledger is locked by Apply and Deposit, which call methods that lock it again.
type Ledger struct {
	mu       sync.Mutex
	balances map[string]int
	limits   map[string]int
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{balances: map[string]int{}, limits: map[string]int{}}
}

// Apply withdraws amount from account under the lock.
func (l *Ledger) Apply(account string, amount int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.withdraw(account, amount)
}

// withdraw runs with l.mu held.
func (l *Ledger) withdraw(account string, amount int) bool {
	if l.Balance(account) < amount {
		return false
	}
	if l.Limit(account) < amount {
		return false
	}
	l.balances[account] -= amount
	return true
}

// Deposit adds amount and returns the new balance.
func (l *Ledger) Deposit(account string, amount int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.balances[account] += amount
	return l.Balance(account)
}

// Report reads a balance without holding the lock.
func (l *Ledger) Report(account string) int {
	return l.Balance(account)
}

// Balance returns the balance of account.
func (l *Ledger) Balance(account string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.balanceLocked(account)
}

func (l *Ledger) balanceLocked(account string) int {
	return l.balances[account]
}

// Limit returns the most account may withdraw at once.
func (l *Ledger) Limit(account string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v, ok := l.limits[account]; ok {
		return v
	}
	return 100
}
