// A custom runtime.throw, reached by linkname the way some libraries do (sonic, goccy): `fatal error: <text>`.
package main

import _ "unsafe" // for go:linkname

//go:linkname throw runtime.throw
func throw(s string)

func init() { extra["custom-throw"] = customThrow }

func customThrow() { throw("shop: ledger invariant violated") }
