// A panic value that faults while the runtime prints it: `panic during panic`.
package main

import (
	"reflect"
	"unsafe"
)

func init() { extra["panic-during-panic"] = panicDuringPanic }

func panicDuringPanic() {
	var s string
	h := (*reflect.StringHeader)(unsafe.Pointer(&s))
	h.Data = 0x10 // not mapped: printing the value faults inside the runtime
	h.Len = 8
	panic(s)
}
