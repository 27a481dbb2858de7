// Package archive keeps every review exactly as it was collected (after
// normalisation, before enrichment), durably, so that the index can be
// rebuilt from it at any time and nothing acknowledged is ever lost.
//
// The archive is a log of records with a global sequence number (1, 2, 3,
// ... without gaps). It is stored in segment files under one folder:
//
//	archive/seg-0000000000000001-20260102.jsonl.gz
//	archive/seg-0000000000004711-20260103.jsonl.gz
//
// A segment is named after its first record's sequence number and the UTC
// day it was started; a new segment starts each day and when one grows past
// SegmentSize. Each Append writes one gzip member holding the batch as JSON
// lines and syncs the file before returning: a batch is in the archive
// entirely or not at all. A member torn by a crash (power cut, SIGKILL in
// the middle of a write) fails its gzip checksum and is cut off when the
// archive is next opened for writing, and ignored by readers. Segments are
// ordinary multi-member gzip files: `zcat archive/*.gz | jq .` reads them.
package archive

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/internal/review"
)

// Op is what a record does.
type Op string

// The operations of the archive.
const (
	// OpPut is a review version as collected: a new review, or a new
	// version of one (an edit, or a review seen again after it was marked
	// deleted).
	OpPut Op = "put"
	// OpDelete records that a complete listing of the source no longer
	// shows the review: it is marked deleted, never erased.
	OpDelete Op = "del"
)

// Record is one entry of the archive.
type Record struct {
	// Seq is the record's position in the archive, from 1, without gaps.
	Seq uint64 `json:"seq"`
	Op  Op     `json:"op"`
	// At is when the record was made: for a deletion, when Vigie found the
	// review gone.
	At     time.Time `json:"at"`
	Source string    `json:"source"`
	ID     string    `json:"id"`
	// Review is the collected review of a put, before enrichment.
	Review *review.Review `json:"review,omitempty"`
	// PrevSeen is, for a new version of a known review, the last time the
	// version it replaces was seen (the history's seen_until).
	PrevSeen time.Time `json:"prev_seen,omitzero"`
}

// SegmentSize is the size past which a new segment is started.
const SegmentSize = 64 << 20

// ErrCorrupt is returned when a segment other than the last one cannot be
// read to its end.
var ErrCorrupt = errors.New("archive: corrupt segment")

// Archive is an archive opened for appending. It is safe for concurrent
// use; only one process may append to a folder at a time (the state
// store's lock guarantees it).
type Archive struct {
	dir string
	now func() time.Time

	mu      sync.Mutex
	last    uint64 // last sequence number written
	f       *os.File
	size    int64
	day     string // UTC day of the current segment
	gz      *gzip.Writer
	buf     []byte
	closed  bool
	segSize int64
}

// Options tune an archive; the zero value is the default.
type Options struct {
	// Now is the clock (tests replace it).
	Now func() time.Time
	// SegmentSize overrides the size past which a new segment starts.
	SegmentSize int64
}

// Open opens the archive in dir for appending, creating the folder if
// needed. A torn batch at the end of the last segment (a crash during a
// write) is cut off.
func Open(dir string, opts Options) (*Archive, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	a := &Archive{dir: dir, now: opts.Now, segSize: opts.SegmentSize}
	if a.now == nil {
		a.now = time.Now
	}
	if a.segSize <= 0 {
		a.segSize = SegmentSize
	}
	segs, err := segments(dir)
	if err != nil {
		return nil, err
	}
	for len(segs) > 0 {
		s := segs[len(segs)-1]
		last, good, err := scanSegment(s.path, s.first, 0, nil)
		if err != nil && !errors.Is(err, errTorn) {
			return nil, err
		}
		if good == 0 {
			// Nothing whole in it: the first batch of the segment was torn.
			if err := os.Remove(s.path); err != nil {
				return nil, fmt.Errorf("archive: %w", err)
			}
			segs = segs[:len(segs)-1]
			a.last = s.first - 1
			continue
		}
		f, err := os.OpenFile(s.path, os.O_RDWR, 0o644)
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("archive: %w", err)
		}
		if st.Size() != good {
			// A crash tore the last batch: it was never acknowledged.
			if err := f.Truncate(good); err != nil {
				f.Close()
				return nil, fmt.Errorf("archive: cut torn batch off %s: %w", s.path, err)
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return nil, fmt.Errorf("archive: %w", err)
			}
		}
		if _, err := f.Seek(good, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("archive: %w", err)
		}
		a.f, a.size, a.day, a.last = f, good, s.day, last
		break
	}
	return a, nil
}

// Dir is the archive's folder.
func (a *Archive) Dir() string { return a.dir }

// Last returns the sequence number of the last record written (0 when the
// archive is empty).
func (a *Archive) Last() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// Append writes recs as one batch, giving them the next sequence numbers
// (set in recs), and returns once the batch is on disk. On error nothing of
// the batch is kept.
func (a *Archive) Append(recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return errors.New("archive: closed")
	}
	now := a.now().UTC()
	day := now.Format("20060102")
	if a.f == nil || a.size >= a.segSize || day != a.day {
		if err := a.rotate(a.last+1, day); err != nil {
			return err
		}
	}
	data := a.buf[:0]
	var line []byte
	var err error
	for i := range recs {
		recs[i].Seq = a.last + 1 + uint64(i)
		if recs[i].At.IsZero() {
			recs[i].At = now
		}
		if line, err = json.Marshal(&recs[i]); err != nil {
			return fmt.Errorf("archive: encode record %s: %w", recs[i].ID, err)
		}
		data = append(append(data, line...), '\n')
	}
	a.buf = data
	w := &countWriter{w: a.f}
	if a.gz == nil {
		a.gz, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
	} else {
		a.gz.Reset(w)
	}
	_, err = a.gz.Write(data)
	if err == nil {
		err = a.gz.Close()
	}
	if err == nil {
		err = a.f.Sync()
	}
	if err != nil {
		// Leave the segment as it was before the batch.
		_ = a.f.Truncate(a.size)
		_, _ = a.f.Seek(a.size, io.SeekStart)
		for i := range recs {
			recs[i].Seq = 0
		}
		return fmt.Errorf("archive: write: %w", err)
	}
	a.size += w.n
	a.last += uint64(len(recs))
	if cap(a.buf) > 1<<20 {
		a.buf = nil // do not keep a huge batch's buffer for ever
	}
	return nil
}

// rotate starts a new segment whose first record is first.
func (a *Archive) rotate(first uint64, day string) error {
	if a.f != nil {
		if err := a.f.Close(); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		a.f = nil
	}
	path := filepath.Join(a.dir, segmentName(first, day))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("archive: new segment: %w", err)
	}
	if err := syncDir(a.dir); err != nil {
		f.Close()
		return err
	}
	a.f, a.size, a.day = f, 0, day
	return nil
}

// Close closes the archive. Everything appended is already on disk.
func (a *Archive) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	if a.f != nil {
		if err := a.f.Close(); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("archive: sync %s: %w", dir, err)
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// segment is one segment file.
type segment struct {
	path  string
	first uint64
	day   string
}

func segmentName(first uint64, day string) string {
	return fmt.Sprintf("seg-%016d-%s.jsonl.gz", first, day)
}

// segments lists the segment files of dir in sequence order.
func segments(dir string) ([]segment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("archive: %w", err)
	}
	var out []segment
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, "seg-") || !strings.HasSuffix(name, ".jsonl.gz") {
			continue
		}
		parts := strings.SplitN(strings.TrimSuffix(strings.TrimPrefix(name, "seg-"), ".jsonl.gz"), "-", 2)
		if len(parts) != 2 {
			continue
		}
		first, err := strconv.ParseUint(parts[0], 10, 64)
		if err != nil || first == 0 {
			continue
		}
		out = append(out, segment{path: filepath.Join(dir, name), first: first, day: parts[1]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].first < out[j].first })
	return out, nil
}

// errTorn marks the end of the readable part of a segment.
var errTorn = errors.New("archive: torn batch")

// byteCounter reads through a bufio.Reader and counts the bytes consumed;
// it is an io.ByteReader, so that the decompressor never reads past the end
// of a gzip member and the count is the exact end of each member.
type byteCounter struct {
	r *bufio.Reader
	n int64
}

func (b *byteCounter) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

func (b *byteCounter) ReadByte() (byte, error) {
	c, err := b.r.ReadByte()
	if err == nil {
		b.n++
	}
	return c, err
}

// scanSegment reads the segment at path, whose first record is first, and
// calls fn for each record with Seq >= from (fn may be nil). It returns the
// last sequence number of the whole batches read, the size of the whole
// batches (where a torn batch starts), and errTorn if the segment ends
// with a torn batch.
func scanSegment(path string, first, from uint64, fn func(Record) error) (last uint64, good int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("archive: %w", err)
	}
	defer f.Close()
	bc := &byteCounter{r: bufio.NewReaderSize(f, 1<<16)}
	last = first - 1
	var zr *gzip.Reader
	var batch []Record
	for {
		if zr == nil {
			zr, err = gzip.NewReader(bc)
		} else {
			err = zr.Reset(bc)
		}
		if err == io.EOF {
			return last, good, nil
		}
		if err != nil {
			return last, good, errTorn
		}
		zr.Multistream(false)
		batch = batch[:0]
		sc := bufio.NewScanner(zr)
		sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
		ok := true
		for sc.Scan() {
			var r Record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				ok = false
				break
			}
			batch = append(batch, r)
		}
		if !ok || sc.Err() != nil {
			return last, good, errTorn
		}
		// The scanner stops at the member's end; make sure the checksum
		// was read and verified.
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return last, good, errTorn
		}
		for _, r := range batch {
			if r.Seq != last+1 {
				return last, good, fmt.Errorf("%w: %s: record %d follows %d", ErrCorrupt, path, r.Seq, last)
			}
			last = r.Seq
			if fn != nil && r.Seq >= from {
				if err := fn(r); err != nil {
					return last, good, err
				}
			}
		}
		good = bc.n
	}
}

// Scan calls fn for each record of the archive in dir with Seq >= from, in
// order. It stops at the end of the last whole batch: a batch being
// written by another process, or torn by a crash, is not read. It returns
// the sequence number of the last record read (or from-1).
func Scan(dir string, from uint64, fn func(Record) error) (uint64, error) {
	if from == 0 {
		from = 1
	}
	segs, err := segments(dir)
	if err != nil {
		return 0, err
	}
	last := from - 1
	for i, s := range segs {
		if i+1 < len(segs) && segs[i+1].first <= from {
			continue // ends before from
		}
		l, _, err := scanSegment(s.path, s.first, from, fn)
		if errors.Is(err, errTorn) {
			if i+1 < len(segs) {
				return last, fmt.Errorf("%w: %s ends with an unreadable batch after record %d", ErrCorrupt, s.path, l)
			}
			err = nil
		}
		if err != nil {
			return last, err
		}
		if l > last {
			last = l
		}
	}
	return last, nil
}

// Last returns the sequence number of the last whole record in dir,
// reading only the last segment.
func Last(dir string) (uint64, error) {
	segs, err := segments(dir)
	if err != nil || len(segs) == 0 {
		return 0, err
	}
	s := segs[len(segs)-1]
	l, _, err := scanSegment(s.path, s.first, ^uint64(0), nil)
	if err != nil && !errors.Is(err, errTorn) {
		return 0, err
	}
	return l, nil
}
