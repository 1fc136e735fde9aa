// Non-ASCII source: comments and strings with 2-, 3- and 4-byte characters around the edit (Grüße, 世界, 😀).
package bugs

// Grüße greets the first name — «ohne Prüfung».
func Grüße(names []string) string {
	gruß := "Grüße, 世界 😀 "
	return gruß + names[0] + " ✓"
}
