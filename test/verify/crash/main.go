// Command crash fails in the way its argument names, so tests can read real runtime output.
package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
)

type shape interface{ area() int }
type square struct{}

func (square) area() int { return 1 }

var sink int

func main() {
	switch os.Args[1] {
	case "nil-map-write":
		var m map[string]int
		m["a"] = 1
	case "nil-deref":
		var p *struct{ n int }
		sink = p.n
	case "index-range":
		s := []int{1}
		i := len(os.Args) + 5
		sink = s[i]
	case "slice-range":
		s := []int{1}
		i := len(os.Args) + 5
		sink = len(s[1:i])
	case "closed-channel-close":
		c := make(chan int)
		close(c)
		close(c)
	case "send-on-closed":
		c := make(chan int, 1)
		close(c)
		c <- 1
	case "divide-by-zero":
		d := len(os.Args) - 2
		sink = 10 / d
	case "type-assertion":
		var s any = square{}
		sink = s.(interface{ volume() int }).volume()
	case "deadlock":
		var mu sync.Mutex
		mu.Lock()
		mu.Lock()
	case "concurrent-map-write":
		m := map[int]int{}
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 1_000_000; i++ {
					m[i%64] = i
				}
			}()
		}
		wg.Wait()
	case "custom-panic":
		panic(errors.New("ledger out of balance"))
	case "http-recovered":
		// net/http recovers a handler's panic and logs it: the process lives on.
		log.SetFlags(log.LstdFlags)
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			var m map[string]int
			m["a"] = 1
		}))
		defer srv.Close()
		_, err := http.Get(srv.URL)
		fmt.Println("client:", err != nil)
	case "clean":
		fmt.Println("all good")
	}
}
