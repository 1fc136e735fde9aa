module medic.test/crashwatch

go 1.22
