package bench

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"sync"
	"time"
)

// peakRSS follows the process's resident memory during one phase. On
// Linux the kernel's high-water mark (VmHWM) is reset at the start of the
// phase (/proc/self/clear_refs), so it holds that phase's peak exactly;
// a sampler every 50 ms backs it up where the reset is not allowed.
type peakRSS struct {
	reset   bool
	start   int64
	mu      sync.Mutex
	sampled int64
	anon    int64 // peak of RssAnon: the heap and stacks, not mapped files
	stop    chan struct{}
	done    chan struct{}
}

func startPeakRSS() *peakRSS {
	p := &peakRSS{stop: make(chan struct{}), done: make(chan struct{})}
	p.reset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	p.start = procStatus("VmRSS")
	p.sampled = p.start
	go func() {
		defer close(p.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				if v := procStatus("VmRSS"); v > 0 {
					a := procStatus("RssAnon")
					p.mu.Lock()
					p.sampled = max(p.sampled, v)
					p.anon = max(p.anon, a)
					p.mu.Unlock()
				}
			}
		}
	}()
	return p
}

// Anon returns the peak of the anonymous resident memory sampled (the Go
// heap, stacks and bleve's in-memory segments; not the index files the
// kernel maps in and can drop), in MiB. Call it after Stop.
func (p *peakRSS) Anon() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return mib(p.anon)
}

// Stop ends the phase and returns its peak and starting resident memory,
// in MiB (0 where the system does not tell).
func (p *peakRSS) Stop() (peak, start float64) {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	v := p.sampled
	p.mu.Unlock()
	if p.reset {
		v = max(v, procStatus("VmHWM"))
	}
	return mib(v), mib(p.start)
}

func mib(b int64) float64 { return round(float64(b)/(1<<20), 1) }

// procStatus reads a memory line of /proc/self/status, in bytes.
func procStatus(key string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok || string(name) != key {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			return 0
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
