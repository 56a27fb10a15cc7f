// goprobe is a test target for numarun: it reports what the Go runtime
// decided about parallelism and what the kernel allows the process.
//
// Output, one "key=value" per line:
//
//	GOMAXPROCS=<runtime.GOMAXPROCS(0)>
//	NumCPU=<runtime.NumCPU()>
//	affinity=<CPU list from sched_getaffinity(2), e.g. 0-3,8>
//	env_GOMAXPROCS=<value of $GOMAXPROCS, or "unset">
//	memlimit=<debug.SetMemoryLimit(-1): the soft memory limit in bytes>
//	env_GOMEMLIMIT=<value of $GOMEMLIMIT, or "unset">
//	go_version=<runtime.Version()>
//
// It uses only the standard library (no cgo, no modules) so that it builds
// offline with CGO_ENABLED=0 into a static binary.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// affinityCPUs returns the CPUs in the calling thread's affinity mask
// (sched_getaffinity(0, ...)), growing the buffer until the kernel accepts it.
func affinityCPUs() ([]int, error) {
	for size := 128; size <= 1<<20; size *= 2 {
		buf := make([]byte, size)
		n, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY,
			0, uintptr(size), uintptr(unsafe.Pointer(&buf[0])))
		if errno == syscall.EINVAL {
			continue // mask smaller than the kernel's cpumask: try larger
		}
		if errno != 0 {
			return nil, errno
		}
		var cpus []int
		for i := 0; i < int(n); i++ {
			for bit := 0; bit < 8; bit++ {
				if buf[i]&(1<<uint(bit)) != 0 {
					cpus = append(cpus, i*8+bit)
				}
			}
		}
		return cpus, nil
	}
	return nil, syscall.EINVAL
}

// formatList writes a sorted CPU slice as a list of ranges: "0-3,8".
func formatList(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(cpus[i]))
		} else {
			parts = append(parts, strconv.Itoa(cpus[i])+"-"+strconv.Itoa(cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// procStatusAllowed is the fallback: Cpus_allowed_list from /proc/self/status.
func procStatusAllowed() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Cpus_allowed_list:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "Cpus_allowed_list:"))
		}
	}
	return "unknown"
}

func main() {
	affinity := ""
	if cpus, err := affinityCPUs(); err == nil {
		affinity = formatList(cpus)
	} else {
		fmt.Fprintf(os.Stderr, "goprobe: sched_getaffinity: %v\n", err)
		affinity = procStatusAllowed()
	}
	env, ok := os.LookupEnv("GOMAXPROCS")
	if !ok {
		env = "unset"
	}
	fmt.Printf("GOMAXPROCS=%d\n", runtime.GOMAXPROCS(0))
	fmt.Printf("NumCPU=%d\n", runtime.NumCPU())
	fmt.Printf("affinity=%s\n", affinity)
	fmt.Printf("env_GOMAXPROCS=%s\n", env)
	memenv, ok := os.LookupEnv("GOMEMLIMIT")
	if !ok {
		memenv = "unset"
	}
	fmt.Printf("memlimit=%d\n", debug.SetMemoryLimit(-1))
	fmt.Printf("env_GOMEMLIMIT=%s\n", memenv)
	fmt.Printf("go_version=%s\n", runtime.Version())
}
