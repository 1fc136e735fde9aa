module example.com/rusage

go 1.22
