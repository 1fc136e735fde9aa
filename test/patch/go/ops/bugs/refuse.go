package bugs

// Bag is built with new, so a literal change cannot make its map.
type Bag struct {
	items map[string]int
}

// NewBag returns a bag whose items map is nil.
func NewBag() *Bag {
	return new(Bag)
}

// Put writes to the nil map.
func (b *Bag) Put(k string) {
	b.items[k] = 1
}

// Ratio divides floats: no panic possible.
func Ratio(a, b float64) float64 {
	return a / b
}

// Point has a value receiver: a mutex inside it would be copied.
type Point struct {
	X int
}

// Shift moves the point.
func (p Point) Shift() Point {
	p.X++
	return p
}

// Lookup indexes a map: never out of range.
func Lookup(m map[string]int, k string) int {
	return m[k]
}
