module example.com/shop

// go 1.18 (generics; go1.17 skips the go1.18-tagged file) so that older toolchains (fetched with GOTOOLCHAIN by the generator) build the crasher;
// cmd/web needs log/slog and is built only by the machine's Go.
go 1.18
