// Package convert turns loosely typed settings into values.
package convert

import "errors"

// Settings holds decoded configuration.
type Settings map[string]any

// Port reads the port setting; it assumes an int.
func (s Settings) Port() int {
	return s["port"].(int)
}

// Share splits a total between n people.
func Share(total, n int) int {
	return total / n
}

// Owner of a resource.
type Owner struct{ Name string }

// Resource has an optional owner.
type Resource struct {
	ID    string
	Owner *Owner
}

// OwnerName returns the resource's owner name.
func OwnerName(r *Resource) string {
	return r.Owner.Name
}

// Depth walks a chain of parents; a cycle makes it recurse forever.
type Node struct{ Parent *Node }

// Depth counts parents.
func (n *Node) Depth() int {
	if n.Parent == nil {
		return 0
	}
	return n.Parent.Depth() + 1
}

// ErrBadSetting is returned for settings that cannot be read.
var ErrBadSetting = errors.New("bad setting")

// MustGet panics when a setting is missing.
func MustGet(s Settings, key string) any {
	v, ok := s[key]
	if !ok {
		panic(errors.Join(ErrBadSetting, errors.New("missing "+key)))
	}
	return v
}
