package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRestoreThenGet(t *testing.T) {
	srv := httptest.NewServer(NewServer().Handler())
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/carts/a/restore", "application/json", strings.NewReader(`{"apple":2}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("restore: %v %v", err, resp)
	}
	resp, err = http.Get(srv.URL + "/carts/a")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("get: %v %v", err, resp)
	}
}

func TestUnknownCartIs404(t *testing.T) {
	rec := httptest.NewRecorder()
	NewServer().Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/carts/none", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("code = %d", rec.Code)
	}
}
