// Non-ASCII source: identifiers, strings and comments with multi-byte and astral characters (😀).
package pkg

// Grüße returns a greeting; the string holds characters of 2, 3 and 4 UTF-8 bytes.
func Grüße(name string) string {
	s := "héllo, 世界 😀 " + name
	record()
	return s
}
