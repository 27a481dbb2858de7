package learn

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// The model file: the 8-byte magic, a little-endian uint32 format version,
// then a gzip stream (whose CRC guards the rest) of the payload: feature
// configuration, then per language its heads, each with its labels,
// thresholds and biases (float32), the ascending hashed buckets it has
// weights for (delta-coded varints) and their weights (half-precision
// floats, class by class).
const (
	modelMagic   = "VIGIELM\x00"
	modelVersion = 1
)

// ErrNotModel is returned by Load for a file that is not a Vigie model.
var ErrNotModel = errors.New("learn: not a Vigie model file")

// Save writes the model.
func (m *Model) Save(w io.Writer) error {
	var hdr [12]byte
	copy(hdr[:], modelMagic)
	binary.LittleEndian.PutUint32(hdr[8:], modelVersion)
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	e := &enc{w: bw}
	c := &m.cfg
	e.u(uint64(c.Buckets))
	e.b(c.Words)
	e.u(uint64(c.CharMin))
	e.u(uint64(c.CharMax))
	e.f(c.CharWeight)
	e.u(uint64(c.Window + 1))
	e.u(uint64(c.CrossMask))
	e.u(uint64(c.PlainMask))
	langs := m.Languages()
	e.u(uint64(len(langs)))
	for _, l := range langs {
		lm := m.langs[l]
		e.s(l)
		for _, h := range []*head{lm.sentiment, lm.themes, lm.polarity} {
			e.head(h)
		}
	}
	if e.err != nil {
		return e.err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// SaveFile writes the model to path (through a temporary file).
func (m *Model) SaveFile(path string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := m.Save(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// LoadFile reads the model at path.
func LoadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := Load(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Load reads a model written by Save. A file that is not a model, of
// another format version, truncated or corrupt gives a clear error.
func Load(r io.Reader) (*Model, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, ErrNotModel
	}
	if string(hdr[:8]) != modelMagic {
		return nil, ErrNotModel
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != modelVersion {
		return nil, fmt.Errorf("learn: model file format %d, this version of Vigie reads %d: retrain the model", v, modelVersion)
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("learn: corrupt model file: %v", err)
	}
	// Read it all first: the gzip CRC is checked at the end of the stream.
	payload, err := io.ReadAll(io.LimitReader(zr, 1<<31))
	if err != nil {
		return nil, fmt.Errorf("learn: corrupt model file: %v", err)
	}
	d := &dec{r: bytes.NewReader(payload)}
	m := &Model{langs: map[string]*langModel{}}
	c := &m.cfg
	c.Buckets = uint32(d.u(1 << 26))
	c.Words = d.b()
	c.CharMin = int(d.u(8))
	c.CharMax = int(d.u(8))
	c.CharWeight = d.f()
	c.Window = int(d.u(1<<16)) - 1
	c.CrossMask = uint8(d.u(255))
	c.PlainMask = uint8(d.u(255))
	if d.err == nil && (c.Buckets < 1<<10 || c.CharMax < c.CharMin) {
		d.fail("feature configuration")
	}
	nl := d.u(64)
	for range nl {
		if d.err != nil {
			break
		}
		l := d.s()
		lm := &langModel{}
		lm.sentiment = d.head(c.Buckets)
		lm.themes = d.head(c.Buckets)
		lm.polarity = d.head(c.Buckets)
		m.langs[l] = lm
	}
	if d.err == nil && d.r.Len() != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return nil, fmt.Errorf("learn: corrupt model file: %v", d.err)
	}
	return m, nil
}

type enc struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
	err error
}

func (e *enc) u(v uint64) {
	n := binary.PutUvarint(e.buf[:], v)
	e.write(e.buf[:n])
}

func (e *enc) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *enc) b(v bool) {
	if v {
		e.u(1)
	} else {
		e.u(0)
	}
}

func (e *enc) f(v float32) {
	binary.LittleEndian.PutUint32(e.buf[:4], math.Float32bits(v))
	e.write(e.buf[:4])
}

func (e *enc) s(v string) {
	e.u(uint64(len(v)))
	e.write([]byte(v))
}

func (e *enc) head(h *head) {
	if h == nil {
		e.u(0)
		return
	}
	e.u(uint64(h.kind))
	e.u(uint64(len(h.labels)))
	for _, l := range h.labels {
		e.s(l)
	}
	if h.kind == kindMultilabel {
		for _, t := range h.thresholds {
			e.f(t)
		}
	}
	for _, b := range h.bias {
		e.f(b)
	}
	e.u(uint64(len(h.keys)))
	prev := uint32(0)
	for i, k := range h.keys {
		if i == 0 {
			e.u(uint64(k))
		} else {
			e.u(uint64(k - prev))
		}
		prev = k
	}
	// Weights class by class: similar magnitudes side by side compress
	// better.
	kk := len(h.labels)
	for c := range kk {
		for r := range h.keys {
			binary.LittleEndian.PutUint16(e.buf[:2], toHalf(h.weight(h.keys[r], c)))
			e.write(e.buf[:2])
		}
	}
}

type dec struct {
	r   *bytes.Reader
	err error
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = errors.New(what)
	}
}

// u reads a uvarint no greater than max.
func (d *dec) u(max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d.r)
	if err != nil {
		d.fail("truncated")
		return 0
	}
	if v > max {
		d.fail(fmt.Sprintf("value %d out of range", v))
		return 0
	}
	return v
}

func (d *dec) b() bool { return d.u(1) == 1 }

func (d *dec) f() float32 {
	if d.err != nil {
		return 0
	}
	var b [4]byte
	if _, err := io.ReadFull(d.r, b[:]); err != nil {
		d.fail("truncated")
		return 0
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(b[:]))
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		d.fail("non-finite weight")
	}
	return v
}

func (d *dec) s() string {
	n := d.u(1 << 10)
	if d.err != nil {
		return ""
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.fail("truncated")
	}
	return string(b)
}

func (d *dec) head(buckets uint32) *head {
	kind := uint8(d.u(kindMultilabel))
	if kind == 0 || d.err != nil {
		return nil
	}
	k := int(d.u(1 << 12))
	if k == 0 {
		d.fail("head without labels")
		return nil
	}
	h := &head{kind: kind, labels: make([]string, k), bias: make([]float32, k)}
	for i := range h.labels {
		h.labels[i] = d.s()
	}
	if kind == kindMultilabel {
		h.thresholds = make([]float32, k)
		for i := range h.thresholds {
			h.thresholds[i] = d.f()
		}
	}
	for i := range h.bias {
		h.bias[i] = d.f()
	}
	nk := int(d.u(uint64(buckets)))
	if d.err != nil {
		return nil
	}
	if int64(nk)*int64(k)*2 > int64(d.r.Len()) { // cannot hold the weights
		d.fail("truncated weights")
		return nil
	}
	h.keys = make([]uint32, nk)
	prev := uint64(0)
	for i := range h.keys {
		v := d.u(uint64(buckets))
		if i > 0 {
			if v == 0 {
				d.fail("buckets not ascending")
			}
			v += prev
		}
		if v >= uint64(buckets) {
			d.fail("bucket out of range")
		}
		h.keys[i] = uint32(v)
		prev = v
	}
	h.w = make([]float32, nk*k)
	var hb [2]byte
	for c := range k {
		for r := range nk {
			if _, err := io.ReadFull(d.r, hb[:]); err != nil {
				d.fail("truncated")
				return nil
			}
			v := binary.LittleEndian.Uint16(hb[:])
			if v&0x7c00 == 0x7c00 {
				d.fail("non-finite weight")
				return nil
			}
			h.w[r*k+c] = fromHalf(v)
		}
	}
	if d.err != nil {
		return nil
	}
	h.index()
	return h
}
