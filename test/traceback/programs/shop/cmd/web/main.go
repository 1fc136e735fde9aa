// Command web serves HTTP handlers that panic, so net/http logs `http: panic serving` with stacks,
// and recovery middlewares that log the stack through log/slog (JSON and text); then it crashes.
package main

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"

	"example.com/shop/internal/cart"
)

func checkout(w http.ResponseWriter, r *http.Request) {
	c := &cart.Cart{Owner: r.URL.Query().Get("user")}
	c.Add("sku-1", 1)
	fmt.Fprintln(w, c.Total())
}

func item(w http.ResponseWriter, r *http.Request) {
	c := cart.New("ann")
	fmt.Fprintln(w, c.At(len(r.URL.Path)))
}

// recoverer logs a recovered panic with its stack through slog, like common middlewares do.
func recoverer(logger *slog.Logger, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				logger.Error("panic recovered", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				w.WriteHeader(http.StatusInternalServerError)
			}
		}()
		next(w, r)
	}
}

func main() {
	mode := "plain"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	var logger *slog.Logger
	switch mode {
	case "slog-json":
		logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	case "slog-text":
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	mux := http.NewServeMux()
	if logger == nil {
		mux.HandleFunc("/checkout", checkout)
		mux.HandleFunc("/item", item)
	} else {
		mux.HandleFunc("/checkout", recoverer(logger, checkout))
		mux.HandleFunc("/item", recoverer(logger, item))
	}
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, mux)
	base := "http://" + ln.Addr().String()
	// No keep-alive: a GET that fails on a reused connection is retried, which would serve the panic twice.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for _, path := range []string{"/ok", "/checkout?user=ann", "/ok", "/item", "/ok"} {
		resp, err := client.Get(base + path)
		if err != nil {
			log.Printf("GET %s: %v", path, err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		log.Printf("GET %s: %s", path, resp.Status)
	}
	// Finally the process itself dies, after the recovered panics above.
	var c *cart.Cart
	fmt.Println(c.Total())
}
