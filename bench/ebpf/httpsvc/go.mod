module medic.bench/httpsvc

go 1.22
