module medic/goinspect

go 1.22
