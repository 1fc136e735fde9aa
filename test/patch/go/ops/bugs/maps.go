// Package bugs holds one small Go bug per edit operation of Medic's patch stage; bugs_test.go
// calls each the way that fails, so the tests fail before a patch and pass after.
package bugs

// Registry counts registrations by name.
type Registry struct {
	name  string
	names map[string]int
}

// NewRegistry forgets to make names.
func NewRegistry(name string) *Registry {
	return &Registry{
		name: name,
	}
}

// Register counts one registration.
func (r *Registry) Register(n string) {
	r.names[n]++
}

var hits map[string]int

// Hit counts a hit on a package-level map that is never made.
func Hit(path string) int {
	hits[path] = hits[path] + 1
	return hits[path]
}
