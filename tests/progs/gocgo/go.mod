module numarun/gocgo

go 1.19
