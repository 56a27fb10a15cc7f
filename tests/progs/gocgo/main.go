// gocgo: a test target for numarun doctor's cgo finding. -g goroutines each sleep in a loop, -nap at a
// time, for -s seconds: built with cgo (CGO_ENABLED=1) they sleep in C's usleep, each holding an OS
// thread blocked in libc; built without, in time.Sleep (sleep_nocgo.go), parked in the Go runtime.
package main

import (
	"flag"
	"fmt"
	"sync"
	"time"
)

func main() {
	seconds := flag.Float64("s", 10, "run time in seconds")
	goroutines := flag.Int("g", 8, "sleeping goroutines")
	each := flag.Duration("nap", 200*time.Millisecond, "each sleep")
	flag.Parse()

	end := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	var wg sync.WaitGroup
	for i := 0; i < *goroutines; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				nap(*each)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("cgo=%v\n", withCgo)
}
