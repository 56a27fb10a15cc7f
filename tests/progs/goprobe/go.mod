module numarun/goprobe

go 1.19
