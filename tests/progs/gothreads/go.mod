module numarun/gothreads

go 1.19
