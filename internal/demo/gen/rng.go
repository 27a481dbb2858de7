package main

import "hash/fnv"

// rng is a splitmix64 generator. The generator uses its own rather than
// math/rand so that the data it writes stays byte-for-byte the same across
// Go versions: the up-to-date test depends on it.
type rng struct{ s uint64 }

func newRNG(seed uint64) *rng { return &rng{s: seed} }

// seedOf derives a seed from strings, so that each location (and each
// review) draws from its own stream and editing one does not reshuffle the
// others.
func seedOf(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64() ^ masterSeed
}

// masterSeed is the fixed seed of the whole data set.
const masterSeed = 0x5eed_c011_e77e_2026

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n).
func (r *rng) intn(n int) int {
	if n <= 0 {
		panic("intn: n must be positive")
	}
	return int(r.next() % uint64(n))
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// chance is true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// weighted picks an index with probability proportional to its weight.
func (r *rng) weighted(ws []float64) int {
	total := 0.0
	for _, w := range ws {
		total += w
	}
	x := r.float() * total
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }
