// Command rusage runs a program and prints, as one JSON line on stderr, its wall time and the
// peak resident memory of it and its descendants (wait4's rusage), so that every tool the
// pprof bench compares is measured the same way. The program's stdout is passed through.
//
//	rusage <program> [args...]
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

type usage struct {
	ExitCode  int     `json:"exitCode"`
	WallMs    float64 `json:"wallMs"`
	UserMs    float64 `json:"userMs"`
	SysMs     float64 `json:"sysMs"`
	MaxRSSKiB int64   `json:"maxRssKiB"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rusage <program> [args...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "rusage:", err)
		os.Exit(2)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	out, _ := json.Marshal(usage{
		ExitCode:  cmd.ProcessState.ExitCode(),
		WallMs:    float64(wall.Microseconds()) / 1000,
		UserMs:    float64(cmd.ProcessState.UserTime().Microseconds()) / 1000,
		SysMs:     float64(cmd.ProcessState.SystemTime().Microseconds()) / 1000,
		MaxRSSKiB: ru.Maxrss, // kilobytes on Linux
	})
	fmt.Fprintf(os.Stderr, "RUSAGE %s\n", out)
}
