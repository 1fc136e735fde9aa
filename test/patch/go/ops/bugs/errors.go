package bugs

import "fmt"

// Codec names a codec.
type Codec struct {
	Name string
}

// codecFor panics on a name it does not know.
func codecFor(name string) *Codec {
	switch name {
	case "gzip":
		return &Codec{Name: name}
	}
	panic(fmt.Sprintf("no codec for %q", name))
}

// Encode picks the codec for name.
func Encode(name string) (string, error) {
	c := codecFor(name)
	return c.Name, nil
}

// mustPositive panics; its caller has no error to pass up.
func mustPositive(n int) int {
	if n < 0 {
		panic("negative")
	}
	return n
}

// Abs calls mustPositive.
func Abs(n int) int {
	return mustPositive(n)
}
