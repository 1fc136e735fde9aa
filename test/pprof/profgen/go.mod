module example.com/profgen

go 1.22
