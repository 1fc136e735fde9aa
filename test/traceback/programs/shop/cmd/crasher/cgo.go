//go:build cgo

// A fault in C code reached through cgo: the runtime reports an unexpected signal.
package main

/*
static void crash_in_c(void) { *(volatile int *)0 = 1; }
*/
import "C"

func init() { extra["unexpected-signal"] = crashInC }

func crashInC() { C.crash_in_c() }
