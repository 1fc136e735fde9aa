// Command escape tries what a sandboxed program must not do and prints what happened, one line each:
// dial a TCP address, write a file outside its workspace, write one inside it, or spin forever.
// Usage: escape dial <addr> | escape write <path> | escape spin
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: escape dial <addr> | write <path> | spin")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "dial":
		conn, err := net.DialTimeout("tcp", os.Args[2], 3*time.Second)
		if err != nil {
			fmt.Printf("dial: blocked: %v\n", err)
			return
		}
		_, _ = conn.Write([]byte("escaped\n"))
		_ = conn.Close()
		fmt.Println("dial: connected")
	case "write":
		if err := os.WriteFile(os.Args[2], []byte("escaped\n"), 0o644); err != nil {
			fmt.Printf("write: blocked: %v\n", err)
			return
		}
		fmt.Println("write: written")
	case "spin":
		for {
		}
	}
}
