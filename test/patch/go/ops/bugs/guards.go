package bugs

import (
	"errors"
	"fmt"
)

// Order is a line of an order.
type Order struct {
	Qty, Price int
}

// Total dereferences o without checking it.
func Total(o *Order) (int, error) {
	if o.Qty < 0 {
		return 0, errors.New("negative quantity")
	}
	return o.Qty * o.Price, nil
}

// Second returns the second field.
func Second(parts []string) (string, error) {
	return parts[1], nil
}

// Head returns the first n bytes of s.
func Head(s string, n int) string {
	return s[:n]
}

// Average divides without checking n.
func Average(sum, n int) int {
	return sum / n
}

// Name asserts v is a fmt.Stringer.
func Name(v any) string {
	s := v.(fmt.Stringer)
	return s.String()
}

// Length asserts inline.
func Length(v any) (int, error) {
	return len(v.(string)), nil
}

// Profile is optional.
type Profile struct {
	Title string
}

// User may have no profile.
type User struct {
	Name    string
	Profile *Profile
}

// Card shows a user.
type Card struct {
	Name, Title string
}

// CardOf reads the profile without checking it.
func CardOf(u User) Card {
	return Card{
		Name:  u.Name,
		Title: u.Profile.Title,
	}
}

// Describe appends the title without checking the profile.
func Describe(u User, out *[]string) {
	*out = append(*out, u.Name)
	*out = append(*out, u.Profile.Title)
}

func lookupUser(name string) (User, bool) {
	return User{Name: name}, name != ""
}

// NameOf reads a user returned by value: it cannot be nil.
func NameOf(name string) string {
	u, ok := lookupUser(name)
	if !ok {
		return ""
	}
	return u.Name
}
