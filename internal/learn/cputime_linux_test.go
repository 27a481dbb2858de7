package learn

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// threadCPU returns the CPU time the calling thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPredictSentimentCPU is BenchmarkPredictSentiment measured in
// CPU time of the benchmarking thread, so that a busy machine does not
// distort the per-core figure: see the cpu-ns/op and pred/cpu-s metrics.
func BenchmarkPredictSentimentCPU(b *testing.B) {
	m := benchModel(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	m.PredictSentiment(review250, "en")
	start := threadCPU()
	n := 0
	for b.Loop() {
		m.PredictSentiment(review250, "en")
		n++
	}
	cpu := threadCPU() - start
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(n)/cpu.Seconds(), "pred/cpu-s")
}

// BenchmarkPredictAllCPU: the three heads, in CPU time.
func BenchmarkPredictAllCPU(b *testing.B) {
	m := benchModel(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	m.Predict(review250, "en")
	start := threadCPU()
	n := 0
	for b.Loop() {
		m.Predict(review250, "en")
		n++
	}
	cpu := threadCPU() - start
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(n)/cpu.Seconds(), "pred/cpu-s")
}
