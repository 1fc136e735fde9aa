// Command names prints, one per line, the runtime name of every function it runs (see pkg.Names).
package main

import (
	"fmt"
	"runtime"

	"example.com/names/pkg"
)

func main() {
	pkg.Run()
	pkg.Grüße("wörld")
	func() {
		pc, _, _, _ := runtime.Caller(0)
		fmt.Println(runtime.FuncForPC(pc).Name())
	}()
	for _, n := range pkg.Names {
		fmt.Println(n)
	}
}
