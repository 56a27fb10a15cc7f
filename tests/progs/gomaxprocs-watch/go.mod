module numarun/gomaxprocs-watch

go 1.19
