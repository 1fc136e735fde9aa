module example.com/crashlab

go 1.22
