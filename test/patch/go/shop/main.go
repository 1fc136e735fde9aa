// Command shop serves the cart API on -addr.
package main

import (
	"flag"
	"log"
	"net/http"

	"example.com/shop/internal/cart"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	s := &server{carts: map[string]*cart.Cart{}}
	log.Fatal(http.ListenAndServe(*addr, newMux(s)))
}
