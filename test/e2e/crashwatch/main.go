// Command crashwatch supervises a Go service the way a process manager and its ingress do in
// production: it runs the service, restarts it when it dies, counts crashes with a Go panic or
// fatal error as a Prometheus counter, keeps the crash output as a log file, and (as a reverse
// proxy in front of the service) records the request in flight when the service died, plus the
// normal traffic before it, in Medic's replay format. The end-to-end test scrapes its counter.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type replayRequest struct {
	Method   string            `json:"method"`
	Path     string            `json:"path"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body"`
	Response *replayResponse   `json:"response,omitempty"`
}

type replayResponse struct {
	Status  int               `json:"status"`
	Body    string            `json:"body"`
	Headers map[string]string `json:"headers"`
}

var (
	panics   atomic.Int64
	restarts atomic.Int64
	up       atomic.Int64
	mu       sync.Mutex
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "public address of the proxy in front of the service")
	backend := flag.String("backend", "127.0.0.1:0", "address the service listens on ({addr} in its arguments)")
	metrics := flag.String("metrics", "127.0.0.1:0", "address of /metrics")
	dir := flag.String("dir", ".", "where crash.log, request.json and traffic.ndjson are written")
	service := flag.String("service", "service", "value of the service label")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		log.Fatal("usage: crashwatch [flags] -- program args... ({addr} is replaced by -backend)")
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{addr}", *backend)
	}
	go supervise(args, *backend, *dir)
	go serveMetrics(*metrics, *service)
	target, _ := url.Parse("http://" + *backend)
	proxy := httputil.NewSingleHostReverseProxy(target)
	log.Fatal(http.ListenAndServe(*listen, record(proxy, *dir)))
}

// supervise runs the service until it exits, keeps its output as crash.log when it crashed, and starts it again.
func supervise(args []string, backend, dir string) {
	for {
		var output bytes.Buffer
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout = os.Stdout
		cmd.Stderr = io.MultiWriter(os.Stderr, &output)
		// The service dies with its supervisor, however the supervisor ends.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			log.Fatalf("start %s: %v", args[0], err)
		}
		waitListening(backend)
		up.Store(1)
		_ = cmd.Wait()
		up.Store(0)
		text := output.String()
		if strings.Contains(text, "panic: ") || strings.Contains(text, "fatal error: ") {
			writeFile(filepath.Join(dir, "crash.log"), output.Bytes())
			panics.Add(1)
		}
		restarts.Add(1)
	}
}

func waitListening(addr string) {
	for i := 0; i < 200; i++ {
		if conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			conn.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// record proxies each request; a completed one is appended to traffic.ndjson, one the service died on becomes request.json.
func record(proxy *httputil.ReverseProxy, dir string) http.Handler {
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		body, _ := r.Context().Value(bodyKey{}).([]byte)
		data, _ := json.MarshalIndent(requestOf(r, body), "", "  ")
		writeFile(filepath.Join(dir, "request.json"), data)
		http.Error(w, "service unavailable: "+err.Error(), http.StatusBadGateway)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, body))
		capture := &captured{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(capture, r)
		if capture.status == http.StatusBadGateway {
			return
		}
		entry := requestOf(r, body)
		entry.Response = &replayResponse{Status: capture.status, Body: capture.body.String(), Headers: map[string]string{"content-type": capture.Header().Get("Content-Type")}}
		line, _ := json.Marshal(entry)
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(filepath.Join(dir, "traffic.ndjson"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.Write(append(line, '\n'))
			f.Close()
		}
	})
}

type bodyKey struct{}

func requestOf(r *http.Request, body []byte) replayRequest {
	headers := map[string]string{}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		headers["Content-Type"] = ct
	}
	return replayRequest{Method: r.Method, Path: r.URL.RequestURI(), Headers: headers, Body: string(body)}
}

type captured struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captured) WriteHeader(status int) {
	c.status = status
	c.ResponseWriter.WriteHeader(status)
}

func (c *captured) Write(p []byte) (int, error) {
	c.body.Write(p)
	return c.ResponseWriter.Write(p)
}

func serveMetrics(addr, service string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# HELP medic_e2e_service_panics_total Exits of the supervised service with a Go panic or fatal error.\n")
		fmt.Fprintf(w, "# TYPE medic_e2e_service_panics_total counter\n")
		fmt.Fprintf(w, "medic_e2e_service_panics_total{service=%q} %d\n", service, panics.Load())
		fmt.Fprintf(w, "# HELP medic_e2e_service_restarts_total Restarts of the supervised service.\n")
		fmt.Fprintf(w, "# TYPE medic_e2e_service_restarts_total counter\n")
		fmt.Fprintf(w, "medic_e2e_service_restarts_total{service=%q} %d\n", service, restarts.Load())
		fmt.Fprintf(w, "# HELP medic_e2e_service_up Whether the supervised service is running.\n")
		fmt.Fprintf(w, "# TYPE medic_e2e_service_up gauge\n")
		fmt.Fprintf(w, "medic_e2e_service_up{service=%q} %d\n", service, up.Load())
	})
	log.Fatal(http.ListenAndServe(addr, mux))
}

// writeFile replaces path atomically, so a reader never sees half a file.
func writeFile(path string, data []byte) {
	tmp := path + ".part"
	if err := os.WriteFile(tmp, data, 0o644); err == nil {
		os.Rename(tmp, path)
	}
}
