//go:build !cgo

package main

import "time"

const withCgo = false

func nap(d time.Duration) {
	time.Sleep(d)
}
