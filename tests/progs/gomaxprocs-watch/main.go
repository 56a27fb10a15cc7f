// gomaxprocs-watch is a test target for numarun's resident mode: it keeps
// several threads busy (some goroutines locked to their own OS thread) and
// prints runtime.GOMAXPROCS(0) every 100 ms for 3 s, so that a test can see
// whether pinning the process's threads changes what the Go runtime uses.
//
// Output, one "key=value" per line:
//
//	go_version=<runtime.Version()>
//	gomaxprocs=<runtime.GOMAXPROCS(0)>      (31 lines: at 0 ms, 100 ms, ... 3 s)
//
// Standard library only, for CGO_ENABLED=0 builds with any Go from 1.19.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
)

var sink uint64

// spin burns CPU in short slices until stop is set, so the runtime keeps
// the thread running (and numarun sees it as busy).
func spin(stop *int32, lock bool) {
	if lock {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	x := uint64(1)
	for atomic.LoadInt32(stop) == 0 {
		for i := 0; i < 100000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		atomic.AddUint64(&sink, x&1)
		time.Sleep(time.Millisecond)
	}
}

func main() {
	duration := 3 * time.Second
	if v := os.Getenv("WATCH_MS"); v != "" {
		if ms, err := strconv.Atoi(v); err == nil && ms > 0 {
			duration = time.Duration(ms) * time.Millisecond
		}
	}
	var stop int32
	for i := 0; i < 6; i++ {
		go spin(&stop, i%2 == 0)
	}
	fmt.Printf("go_version=%s\n", runtime.Version())
	start := time.Now()
	for {
		fmt.Printf("gomaxprocs=%d\n", runtime.GOMAXPROCS(0))
		if time.Since(start) >= duration {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	atomic.StoreInt32(&stop, 1)
}
