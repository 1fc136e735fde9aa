package bugs

import "context"

// Worker is stopped by closing done.
type Worker struct {
	done chan struct{}
}

// NewWorker returns a running worker.
func NewWorker() *Worker {
	return &Worker{done: make(chan struct{})}
}

// Stop closes done; a second Stop panics.
func (w *Worker) Stop() {
	close(w.done)
}

// Feed produces into out and closes it when done; Cancel closes it too.
type Feed struct {
	out chan int
}

// NewFeed starts a producer of n values.
func NewFeed(n int) *Feed {
	f := &Feed{out: make(chan int, n)}
	f.run(n)
	return f
}

func (f *Feed) run(n int) {
	for i := 0; i < n; i++ {
		f.out <- i
	}
	close(f.out)
}

// Cancel also closes out: the channel belongs to run.
func (f *Feed) Cancel() {
	close(f.out)
}

// FirstResult leaks the worker goroutine when ctx ends first: nobody receives its send.
func FirstResult(ctx context.Context, work func() int) (int, error) {
	ch := make(chan int)
	go func() {
		ch <- work()
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Spawn runs f in a goroutine; a panic in f kills the process.
func Spawn(f func(), done chan<- struct{}) {
	go func() {
		defer close(done)
		f()
	}()
}

// Produce sends n values on out and closes it: out belongs to Produce.
func Produce(n int, out chan<- int) {
	defer close(out)
	for i := 0; i < n; i++ {
		out <- i
	}
}

// FirstTwo stops after two values by closing a stream it does not own.
func FirstTwo() []int {
	stream := make(chan int)
	go Produce(5, stream)
	var got []int
	for v := range stream {
		got = append(got, v)
		if len(got) == 2 {
			close(stream)
			break
		}
	}
	return got
}
