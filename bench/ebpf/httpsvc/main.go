// Command httpsvc is the Go HTTP service bench/ebpf loads with wrk, with and without probes: a
// handler with a little JSON and allocation per request, so GC runs and goroutines start as in a
// real service.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
)

type item struct {
	SKU   string `json:"sku"`
	Qty   int    `json:"qty"`
	Price int    `json:"price"`
}

//go:noinline
func handle(n int) []item {
	items := make([]item, 0, n)
	for i := 0; i < n; i++ {
		items = append(items, item{SKU: "sku-" + strconv.Itoa(i), Qty: i % 7, Price: 100 + i})
	}
	return items
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(handle(16))
	})
	// The address on stdout tells the benchmark the service is ready.
	fmt.Println(ln.Addr().String())
	_ = http.Serve(ln, nil)
}
