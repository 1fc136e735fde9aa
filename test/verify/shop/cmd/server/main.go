// Command server serves the cart API on -addr.
package main

import (
	"flag"
	"log"
	"net/http"

	"example.com/shop/api"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*addr, api.NewServer().Handler()))
}
