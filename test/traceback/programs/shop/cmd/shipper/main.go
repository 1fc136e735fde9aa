// Command shipper runs a program and re-emits its combined output the way log pipelines store it
// (kubectl --timestamps, CRI files, docker json-file, journald, compose, kubectl --prefix).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: shipper <format> <program> [args...]")
		os.Exit(64)
	}
	format := os.Args[1]
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	r, w := io.Pipe()
	cmd.Stdout = w
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	go func() {
		cmd.Wait()
		w.Close()
	}()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		emit(out, format, sc.Text())
	}
}

func emit(out *bufio.Writer, format, line string) {
	now := time.Now().UTC()
	switch format {
	case "k8s-timestamps": // kubectl logs --timestamps
		fmt.Fprintf(out, "%s %s\n", now.Format(time.RFC3339Nano), line)
	case "cri": // /var/log/pods/*/*.log written by containerd/CRI-O
		fmt.Fprintf(out, "%s stderr F %s\n", now.Format(time.RFC3339Nano), line)
	case "cri-partial": // CRI splits lines longer than its buffer into P records ending in an F record
		for len(line) > 40 {
			fmt.Fprintf(out, "%s stderr P %s\n", now.Format(time.RFC3339Nano), line[:40])
			line = line[40:]
		}
		fmt.Fprintf(out, "%s stderr F %s\n", now.Format(time.RFC3339Nano), line)
	case "docker-json": // docker json-file driver
		b, _ := json.Marshal(map[string]string{"log": line + "\n", "stream": "stderr", "time": now.Format(time.RFC3339Nano)})
		fmt.Fprintf(out, "%s\n", b)
	case "journald": // journalctl -o short
		fmt.Fprintf(out, "%s shop-7d9f shop[4242]: %s\n", now.Local().Format("Jan _2 15:04:05"), line)
	case "compose": // docker compose logs
		fmt.Fprintf(out, "shop-1  | %s\n", line)
	case "kubectl-prefix": // kubectl logs --prefix
		fmt.Fprintf(out, "[pod/shop-7d9f5c6b8-x2x9z/shop] %s\n", line)
	case "compose-timestamps": // docker compose logs --timestamps
		fmt.Fprintf(out, "shop-1  | %s %s\n", now.Format(time.RFC3339Nano), line)
	default:
		fmt.Fprintln(os.Stderr, "unknown format", format)
		os.Exit(64)
	}
}
