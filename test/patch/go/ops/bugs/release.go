package bugs

import "errors"

// Pool hands out slots that must be given back.
type Pool struct {
	open map[int][]byte
	next int
}

// NewPool returns an empty pool.
func NewPool() *Pool {
	return &Pool{open: map[int][]byte{}}
}

// Acquire reserves a slot and its buffer.
func (p *Pool) Acquire() (int, error) {
	p.next++
	p.open[p.next] = make([]byte, 1024)
	return p.next, nil
}

// Release gives a slot back.
func (p *Pool) Release(id int) {
	delete(p.open, id)
}

// Len counts the slots held.
func (p *Pool) Len() int {
	return len(p.open)
}

// Handle gives its slot back only when the work succeeds.
func Handle(p *Pool, fail bool) error {
	id, err := p.Acquire()
	if err != nil {
		return err
	}
	if fail {
		return errors.New("work failed")
	}
	p.Release(id)
	return nil
}
