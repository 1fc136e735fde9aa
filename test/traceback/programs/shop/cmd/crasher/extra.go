// Scenarios that need features newer than the module's go 1.17 floor register themselves here.
package main

var extra = map[string]func(){}
