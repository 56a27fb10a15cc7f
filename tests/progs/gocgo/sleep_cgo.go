//go:build cgo

package main

// #include <unistd.h>
import "C"

import "time"

const withCgo = true

func nap(d time.Duration) {
	C.usleep(C.useconds_t(d / time.Microsecond))
}
