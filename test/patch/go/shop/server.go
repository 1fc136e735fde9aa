// The HTTP API: POST /cart/{owner}/items adds an item, GET /cart/{owner} lists them.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"example.com/shop/internal/cart"
)

type server struct {
	mu    sync.Mutex
	carts map[string]*cart.Cart
}

type addRequest struct {
	Item string `json:"item"`
	Qty  int    `json:"qty"`
}

func newMux(s *server) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cart/{owner}/items", s.addItem)
	mux.HandleFunc("GET /cart/{owner}", s.list)
	return mux
}

func (s *server) cartOf(owner string) *cart.Cart {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.carts[owner]
	if !ok {
		c = cart.New(owner)
		s.carts[owner] = c
	}
	return c
}

func (s *server) addItem(w http.ResponseWriter, r *http.Request) {
	var req addRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.cartOf(r.PathValue("owner")).Add(req.Item, req.Qty)
	fmt.Fprintln(w, "ok")
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, strings.Join(s.cartOf(r.PathValue("owner")).Items(), ","))
}
