module medic.test/tracee

go 1.22
