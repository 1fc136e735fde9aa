// Package api serves carts over HTTP.
package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"example.com/shop/cart"
)

// Server routes cart requests.
type Server struct {
	mu    sync.Mutex
	carts map[string]*cart.Cart
}

// NewServer returns a server with no carts.
func NewServer() *Server {
	return &Server{carts: map[string]*cart.Cart{}}
}

type cartView struct {
	ID    string         `json:"id"`
	Items map[string]int `json:"items"`
}

// Handler returns the HTTP routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /carts/{id}/restore", func(w http.ResponseWriter, r *http.Request) {
		var saved map[string]int
		if err := json.NewDecoder(r.Body).Decode(&saved); err != nil {
			http.Error(w, "bad body: "+err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.carts[r.PathValue("id")] = cart.Restore(saved)
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("POST /carts/{id}/items", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil {
			n = 1
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		c, ok := s.carts[r.PathValue("id")]
		if !ok {
			c = cart.New()
			s.carts[r.PathValue("id")] = c
		}
		c.Add(r.URL.Query().Get("sku"), n)
		s.write(w, r.PathValue("id"), c)
	})
	mux.HandleFunc("GET /carts/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		c, ok := s.carts[r.PathValue("id")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		s.write(w, r.PathValue("id"), c)
	})
	return mux
}

func (s *Server) write(w http.ResponseWriter, id string, c *cart.Cart) {
	view := cartView{ID: id, Items: map[string]int{}}
	for _, sku := range c.SKUs() {
		view.Items[sku] = c.Count(sku)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(view)
}
