// gothreads: a Go program whose runtime creates threads over time, for per-thread placement tests.
//
// It keeps GOMAXPROCS goroutines busy for the whole run; after -later it starts -locked more goroutines
// that each lock an OS thread (so the runtime must create new threads then), and keeps those busy too.
// At the end it prints GOMAXPROCS=<n> and threads=<count of /proc/self/task>.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

var sink uint64

func spin(stop *int32) {
	x := uint64(1)
	for atomic.LoadInt32(stop) == 0 {
		for i := 0; i < 1<<16; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	atomic.AddUint64(&sink, x)
}

func main() {
	seconds := flag.Float64("s", 10, "run time in seconds")
	later := flag.Float64("later", 3, "seconds before the locked threads start")
	locked := flag.Int("locked", 2, "goroutines that lock an OS thread each, started later")
	flag.Parse()

	var stop int32
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		go spin(&stop)
	}
	time.Sleep(time.Duration(*later * float64(time.Second)))
	for i := 0; i < *locked; i++ {
		go func() {
			runtime.LockOSThread()
			spin(&stop)
		}()
	}
	time.Sleep(time.Duration((*seconds - *later) * float64(time.Second)))
	tasks, _ := os.ReadDir("/proc/self/task")
	fmt.Printf("GOMAXPROCS=%d\nthreads=%d\n", runtime.GOMAXPROCS(0), len(tasks))
	atomic.StoreInt32(&stop, 1)
}
