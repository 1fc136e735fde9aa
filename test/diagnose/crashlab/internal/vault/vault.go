// Package vault opens the secrets store and audits what clients send it.
package vault

import "fmt"

// fallbackDSN is used when none is configured (a leaked credential, kept for the redaction test).
const fallbackDSN = "postgres://vault:V4ult-Fake-Pw@db.internal:5432/vault"

// Conn is an open store.
type Conn struct{ dsn string }

// Open connects to the store; it panics instead of returning an error.
func Open(dsn string) *Conn {
	if dsn == "" {
		dsn = fallbackDSN
	}
	if err := dial(dsn); err != nil {
		panic(fmt.Errorf("vault: open %s: %w", dsn, err))
	}
	return &Conn{dsn: dsn}
}

func dial(dsn string) error {
	return fmt.Errorf("connection refused (%d bytes of config)", len(dsn))
}

// Audit records a client's message and rejects malformed ones by panicking.
func Audit(msg string) {
	if len(msg) > 0 {
		panic("audit: malformed entry: " + msg)
	}
}
