package learn

import (
	"math"
	"runtime"
	"slices"
	"sync"
)

// dataset is a training set in compressed sparse rows over a compact
// feature space: the hashed buckets seen in training, renumbered.
type dataset struct {
	rows []int   // len n+1
	idx  []int32 // compact feature ids
	val  []float32
	dim  int
}

func (d *dataset) n() int { return len(d.rows) - 1 }

// builder collects featurised rows and renumbers their buckets.
type builder struct {
	ids     map[uint32]int32
	buckets []uint32 // compact id → bucket
	df      []int32  // rows a compact id occurs in
	rows    []int
	idx     []int32
	val     []float32
	seen    map[int32]int // per-row dedup: compact id → position
}

func newBuilder() *builder {
	return &builder{ids: map[uint32]int32{}, rows: []int{0}, seen: map[int32]int{}}
}

// add appends a row, summing repeated features.
func (b *builder) add(feats []feature) {
	clear(b.seen)
	for _, f := range feats {
		id, ok := b.ids[f.Index]
		if !ok {
			id = int32(len(b.buckets))
			b.ids[f.Index] = id
			b.buckets = append(b.buckets, f.Index)
			b.df = append(b.df, 0)
		}
		if p, ok := b.seen[id]; ok {
			b.val[p] += f.Value
			continue
		}
		b.seen[id] = len(b.idx)
		b.idx = append(b.idx, id)
		b.val = append(b.val, f.Value)
		b.df[id]++
	}
	b.rows = append(b.rows, len(b.idx))
}

// build returns the dataset keeping the features seen in at least minCount
// rows, and the bucket of each kept compact id.
func (b *builder) build(minCount int) (*dataset, []uint32) {
	if minCount <= 1 {
		return &dataset{rows: b.rows, idx: b.idx, val: b.val, dim: len(b.buckets)}, b.buckets
	}
	remap := make([]int32, len(b.buckets))
	var buckets []uint32
	for id, n := range b.df {
		if int(n) >= minCount {
			remap[id] = int32(len(buckets))
			buckets = append(buckets, b.buckets[id])
		} else {
			remap[id] = -1
		}
	}
	d := &dataset{rows: make([]int, 1, len(b.rows)), dim: len(buckets)}
	for r := 0; r+1 < len(b.rows); r++ {
		for k := b.rows[r]; k < b.rows[r+1]; k++ {
			if id := remap[b.idx[k]]; id >= 0 {
				d.idx = append(d.idx, id)
				d.val = append(d.val, b.val[k])
			}
		}
		d.rows = append(d.rows, len(d.idx))
	}
	return d, buckets
}

// subset returns the rows of d listed in sel (sharing storage of values).
func (d *dataset) subset(sel []int) *dataset {
	s := &dataset{rows: make([]int, 1, len(sel)+1), dim: d.dim}
	for _, r := range sel {
		s.idx = append(s.idx, d.idx[d.rows[r]:d.rows[r+1]]...)
		s.val = append(s.val, d.val[d.rows[r]:d.rows[r+1]]...)
		s.rows = append(s.rows, len(s.idx))
	}
	return s
}

// problem is a regularised linear model's training objective:
//
//	softmax:    mean_i c_i · −log p(y_i | x_i) + λ/2 ‖W‖²
//	multilabel: mean_i Σ_t c_it · logloss(σ(z_it), y_it) + λ/2 ‖W‖²
//
// over parameters laid out as W[j*K+c] followed by the K unregularised
// biases.
type problem struct {
	d          *dataset
	k          int
	multilabel bool
	y          []int     // softmax: class of row i
	yml        []bool    // multilabel: y[i*K+t]
	weight     []float64 // softmax: per row; multilabel: per (row, t), or nil
	l2         float64
}

func (p *problem) nparams() int { return p.d.dim*p.k + p.k }

// eval returns the objective at x and writes its gradient into g.
func (p *problem) eval(x, g []float64) float64 {
	n := p.d.n()
	workers := min(runtime.GOMAXPROCS(0), max(1, n/200))
	type part struct {
		g    []float64
		loss float64
		wsum float64
	}
	parts := make([]part, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pg := g
			if w > 0 {
				pg = make([]float64, len(g))
			} else {
				clear(pg)
			}
			lo, hi := n*w/workers, n*(w+1)/workers
			loss, wsum := p.evalRows(x, pg, lo, hi)
			parts[w] = part{pg, loss, wsum}
		}()
	}
	wg.Wait()
	loss, wsum := 0.0, 0.0
	for w := range parts {
		loss += parts[w].loss
		wsum += parts[w].wsum
		if w > 0 {
			for i, v := range parts[w].g {
				g[i] += v
			}
		}
	}
	if wsum == 0 {
		wsum = 1
	}
	inv := 1 / wsum
	for i := range g {
		g[i] *= inv
	}
	loss *= inv
	nw := p.d.dim * p.k
	for i := range nw {
		loss += 0.5 * p.l2 * x[i] * x[i]
		g[i] += p.l2 * x[i]
	}
	return loss
}

// evalRows accumulates the unnormalised loss and gradient of rows lo..hi.
func (p *problem) evalRows(x, g []float64, lo, hi int) (loss, wsum float64) {
	k := p.k
	d := p.d
	bias := d.dim * k
	z := make([]float64, k)
	for i := lo; i < hi; i++ {
		copy(z, x[bias:bias+k])
		for q := d.rows[i]; q < d.rows[i+1]; q++ {
			j := int(d.idx[q]) * k
			v := float64(d.val[q])
			for c := range k {
				z[c] += v * x[j+c]
			}
		}
		if p.multilabel {
			for t := range k {
				c := 1.0
				if p.weight != nil {
					c = p.weight[i*k+t]
				}
				y := 0.0
				if p.yml[i*k+t] {
					y = 1
				}
				// log(1+e^-z) for y=1, log(1+e^z) for y=0, stably
				m := z[t]
				if y == 1 {
					m = -m
				}
				loss += c * softplus(m)
				z[t] = c * (sigmoid(z[t]) - y)
			}
			wsum += 1
		} else {
			c := 1.0
			if p.weight != nil {
				c = p.weight[i]
			}
			mx := slices.Max(z)
			sum := 0.0
			for t := range k {
				z[t] = math.Exp(z[t] - mx)
				sum += z[t]
			}
			loss += c * -(math.Log(z[p.y[i]]/sum + 1e-300))
			for t := range k {
				z[t] = c * z[t] / sum
			}
			z[p.y[i]] -= c
			wsum += c
		}
		for t := range k {
			g[bias+t] += z[t]
		}
		for q := d.rows[i]; q < d.rows[i+1]; q++ {
			j := int(d.idx[q]) * k
			v := float64(d.val[q])
			for c := range k {
				g[j+c] += v * z[c]
			}
		}
	}
	return loss, wsum
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

func softplus(z float64) float64 {
	if z > 30 {
		return z
	}
	if z < -30 {
		return math.Exp(z)
	}
	return math.Log1p(math.Exp(z))
}

// lbfgs minimises p from zero with limited-memory BFGS (10 pairs) and a
// backtracking Armijo line search, for at most maxIter iterations or until
// the objective stops improving by a relative tol. It is deterministic.
func lbfgs(p *problem, maxIter int, tol float64) []float64 {
	const m = 10
	np := p.nparams()
	x := make([]float64, np)
	g := make([]float64, np)
	f := p.eval(x, g)
	xn := make([]float64, np)
	gn := make([]float64, np)
	dir := make([]float64, np)
	var ss, ys [][]float64
	var rhos []float64
	alpha := make([]float64, m)
	small := 0
	for iter := 0; iter < maxIter; iter++ {
		// two-loop recursion: dir = −H g
		copy(dir, g)
		for i := len(ss) - 1; i >= 0; i-- {
			alpha[i] = rhos[i] * dot(ss[i], dir)
			axpy(-alpha[i], ys[i], dir)
		}
		if len(ss) > 0 {
			last := len(ss) - 1
			scale(dot(ss[last], ys[last])/dot(ys[last], ys[last]), dir)
		} else {
			scale(1/math.Max(1e-12, math.Sqrt(dot(g, g))), dir)
		}
		for i := range ss {
			b := rhos[i] * dot(ys[i], dir)
			axpy(alpha[i]-b, ss[i], dir)
		}
		scale(-1, dir)
		gd := dot(g, dir)
		if gd >= 0 { // not a descent direction: restart from the gradient
			ss, ys, rhos = ss[:0], ys[:0], rhos[:0]
			copy(dir, g)
			scale(-1/math.Max(1e-12, math.Sqrt(dot(g, g))), dir)
			gd = dot(g, dir)
		}
		step := 1.0
		var fn float64
		ok := false
		for range 40 {
			for i := range x {
				xn[i] = x[i] + step*dir[i]
			}
			fn = p.eval(xn, gn)
			if fn <= f+1e-4*step*gd {
				ok = true
				break
			}
			step *= 0.5
		}
		if !ok {
			break
		}
		var s, y []float64
		if len(ss) == m {
			s, y = ss[0], ys[0]
			ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
		} else {
			s, y = make([]float64, np), make([]float64, np)
		}
		for i := range x {
			s[i] = xn[i] - x[i]
			y[i] = gn[i] - g[i]
		}
		if sy := dot(s, y); sy > 1e-12 {
			ss, ys, rhos = append(ss, s), append(ys, y), append(rhos, 1/sy)
		}
		x, xn = xn, x
		g, gn = gn, g
		rel := (f - fn) / math.Max(1, math.Abs(fn))
		f = fn
		if rel < tol {
			small++
			if small >= 3 {
				break
			}
		} else {
			small = 0
		}
	}
	return x
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func scale(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

// scoreRow computes the K raw scores of row i of d under parameters x.
func scoreRow(d *dataset, x []float64, k, i int, z []float64) {
	bias := d.dim * k
	copy(z, x[bias:bias+k])
	for q := d.rows[i]; q < d.rows[i+1]; q++ {
		j := int(d.idx[q]) * k
		v := float64(d.val[q])
		for c := range k {
			z[c] += v * x[j+c]
		}
	}
}

// lbfgsTol is the relative improvement of the objective under which, three
// iterations running, L-BFGS stops.
const lbfgsTol = 1e-5
