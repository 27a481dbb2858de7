// Package store is Vigie's state store: an embedded, transactional
// key-value file (bbolt) holding what the service must remember between
// runs and restarts:
//
//   - per source: the last run (start, end, outcome, error, counts), the
//     last success and the last error, coverage (collected vs shown), the
//     "complete" flag that allows incremental runs, a cursor, the failure
//     streak that drives back-off;
//   - per source, the known reviews: id -> content hash, deleted flag and
//     when the review was last seen, to classify what a run collects
//     (new, updated, unchanged) and to find deletions;
//   - the archive sequence number the known reviews are up to date with;
//   - extension buckets for other parts of Vigie (alert state).
//
// One process opens the file at a time; another gets ErrLocked, with the
// holder's pid and command when known.
package store

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Bucket names.
var (
	bucketMeta    = []byte("meta")
	bucketSources = []byte("sources")
	bucketKnown   = []byte("known")
	bucketExt     = []byte("ext")
	keyWatermark  = []byte("archive_seq")
	keySchema     = []byte("schema")
)

const schemaVersion = "1"

// ErrLocked is returned by Open when another process holds the store.
var ErrLocked = errors.New("the state store is in use by another Vigie process")

// Store is an open state store. It is safe for concurrent use.
type Store struct {
	db       *bolt.DB
	path     string
	readOnly bool
}

// Options tune Open.
type Options struct {
	// ReadOnly opens the file for reading (several readers may share it,
	// but not with a writer). The file must exist.
	ReadOnly bool
	// Timeout is how long to wait for another process to release the
	// file (default 1s).
	Timeout time.Duration
	// Command names the process in the owner file ("vigie serve"), so
	// that another process can say who holds the store.
	Command string
}

// Owner describes the process holding a store.
type Owner struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Host    string    `json:"host,omitempty"`
	Since   time.Time `json:"since"`
}

// LockedError is ErrLocked with what is known of the holder.
type LockedError struct {
	Path  string
	Owner *Owner
}

func (e *LockedError) Error() string {
	if e.Owner != nil && e.Owner.PID > 0 {
		return fmt.Sprintf("%s is in use by another Vigie process (%s, pid %d, since %s): stop it first, or use it (`vigie serve` answers on its HTTP address)",
			e.Path, e.Owner.Command, e.Owner.PID, e.Owner.Since.Local().Format("2006-01-02 15:04:05"))
	}
	return fmt.Sprintf("%s is in use by another Vigie process: stop it first", e.Path)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// OwnerPath is the file next to the store naming the process holding it.
func OwnerPath(path string) string { return path + ".owner" }

// ReadOwner returns the owner recorded next to the store at path, if any.
// The record may be stale if its process died: only a failed Open proves
// that the store is held.
func ReadOwner(path string) (*Owner, error) {
	b, err := os.ReadFile(OwnerPath(path))
	if err != nil {
		return nil, err
	}
	var o Owner
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// Open opens (or creates) the store at path.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			o, _ := ReadOwner(path)
			return nil, &LockedError{Path: path, Owner: o}
		}
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, readOnly: opts.ReadOnly}
	if opts.ReadOnly {
		return s, nil
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketSources, bucketKnown, bucketExt} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keySchema); v != nil && string(v) != schemaVersion {
			return fmt.Errorf("schema version %q, this Vigie reads %q", v, schemaVersion)
		}
		return meta.Put(keySchema, []byte(schemaVersion))
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	host, _ := os.Hostname()
	owner, _ := json.Marshal(Owner{PID: os.Getpid(), Command: opts.Command, Host: host, Since: time.Now().UTC()})
	_ = os.WriteFile(OwnerPath(path), owner, 0o644)
	return s, nil
}

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// Close closes the store; everything committed is on disk.
func (s *Store) Close() error {
	if !s.readOnly {
		_ = os.Remove(OwnerPath(s.path))
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("state: close: %w", err)
	}
	return nil
}

// SourceState is what the store remembers of one source.
type SourceState struct {
	ID       string `json:"id"`
	Kind     string `json:"kind,omitempty"`
	Location string `json:"location,omitempty"`

	// The last run.
	LastStart time.Time `json:"last_start,omitzero"`
	LastEnd   time.Time `json:"last_end,omitzero"`
	// Outcome is ok, errors (finished, some pages failed), failed (stopped
	// early), interrupted (the process stopped or died during the run) or
	// running.
	Outcome     string   `json:"outcome,omitempty"`
	Error       string   `json:"error,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
	Pages       int      `json:"pages"`
	PagesFailed int      `json:"pages_failed"`
	Found       int      `json:"found"`
	New         int      `json:"new"`
	Updated     int      `json:"updated"`
	Unchanged   int      `json:"unchanged"`
	Deleted     int      `json:"deleted"`
	Skipped     int      `json:"skipped"`
	DurationMS  int64    `json:"duration_ms"`

	// LastSuccess is the end of the last run without any error.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// LastError and LastErrorAt keep the last failure after a success.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// Failures counts the runs that failed in a row (back-off).
	Failures int `json:"failures"`
	Runs     int `json:"runs"`

	// Shown is the number of reviews the source says it has (0 when it
	// does not say); Collected the reviews of the source Vigie holds, not
	// deleted.
	Shown     int `json:"shown,omitempty"`
	Collected int `json:"collected"`

	// Complete is set once a run went through the whole listing (or
	// caught up with a complete one): incremental runs may then stop at
	// the first page already known. A run cut short (page cap, error,
	// crash) clears it.
	Complete bool `json:"complete"`
	// Cursor is where a connector that supports it resumes.
	Cursor string `json:"cursor,omitempty"`
}

// Running reports whether the state says a run started and did not end:
// in a store just opened, a run interrupted by a crash.
func (st SourceState) Running() bool { return st.Outcome == "running" }

// Source returns the state of source id.
func (s *Store) Source(id string) (SourceState, bool, error) {
	var st SourceState
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSources)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(id))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &st)
	})
	if err != nil {
		return st, false, fmt.Errorf("state: source %s: %w", id, err)
	}
	return st, found, nil
}

// Sources returns the state of every source recorded, by id.
func (s *Store) Sources() ([]SourceState, error) {
	var out []SourceState
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSources)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var st SourceState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("source %s: %w", k, err)
			}
			out = append(out, st)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	return out, nil
}

// UpdateSource changes the state of source id in one transaction; fn
// receives the current state (zero with ID set when there is none).
func (s *Store) UpdateSource(id string, fn func(*SourceState) error) (SourceState, error) {
	var st SourceState
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSources)
		st = SourceState{}
		if v := b.Get([]byte(id)); v != nil {
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
		}
		st.ID = id
		if err := fn(&st); err != nil {
			return err
		}
		v, err := json.Marshal(&st)
		if err != nil {
			return err
		}
		return b.Put([]byte(id), v)
	})
	if err != nil {
		return st, fmt.Errorf("state: source %s: %w", id, err)
	}
	return st, nil
}

// Known is what the store remembers of one review.
type Known struct {
	// Hash is the review's content hash (review.ContentHash).
	Hash    string
	Deleted bool
	// Seen is the last time a run saw this version.
	Seen time.Time
}

const flagDeleted = 1

func encodeKnown(k Known) []byte {
	h, err := hex.DecodeString(k.Hash)
	if err != nil || len(h) > 255 {
		h = []byte(k.Hash)
	}
	out := make([]byte, 0, 1+len(h)+1+8)
	out = append(out, byte(len(h)))
	out = append(out, h...)
	var flags byte
	if k.Deleted {
		flags |= flagDeleted
	}
	out = append(out, flags)
	return binary.BigEndian.AppendUint64(out, uint64(k.Seen.Unix()))
}

func decodeKnown(v []byte) (Known, bool) {
	if len(v) < 1 {
		return Known{}, false
	}
	n := int(v[0])
	if len(v) != 1+n+1+8 {
		return Known{}, false
	}
	k := Known{Hash: hex.EncodeToString(v[1 : 1+n]), Deleted: v[1+n]&flagDeleted != 0}
	if sec := int64(binary.BigEndian.Uint64(v[2+n:])); sec > 0 {
		k.Seen = time.Unix(sec, 0).UTC()
	}
	return k, true
}

// Known returns what the store knows of the given ids of source; unknown
// ids are absent from the map.
func (s *Store) Known(source string, ids []string) (map[string]Known, error) {
	out := make(map[string]Known, len(ids))
	err := s.db.View(func(tx *bolt.Tx) error {
		b := knownBucket(tx, source)
		if b == nil {
			return nil
		}
		for _, id := range ids {
			if v := b.Get([]byte(id)); v != nil {
				if k, ok := decodeKnown(v); ok {
					out[id] = k
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("state: known: %w", err)
	}
	return out, nil
}

// ForEachKnown calls fn for every review known of source, in id order.
func (s *Store) ForEachKnown(source string, fn func(id string, k Known) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := knownBucket(tx, source)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			kn, ok := decodeKnown(v)
			if !ok {
				return nil
			}
			return fn(string(k), kn)
		})
	})
}

// CountKnown returns the reviews of source that are known and not deleted.
func (s *Store) CountKnown(source string) (int, error) {
	n := 0
	err := s.ForEachKnown(source, func(_ string, k Known) error {
		if !k.Deleted {
			n++
		}
		return nil
	})
	return n, err
}

func knownBucket(tx *bolt.Tx, source string) *bolt.Bucket {
	root := tx.Bucket(bucketKnown)
	if root == nil {
		return nil
	}
	return root.Bucket([]byte(source))
}

// Change is one update of the known reviews.
type Change struct {
	Source string
	ID     string
	// SeenOnly only moves Seen forward (the review was seen unchanged).
	SeenOnly bool
	Known    Known
}

// Apply records changes to the known reviews and, when watermark is not
// zero, that they are up to date with the archive up to that sequence
// number, in one transaction.
func (s *Store) Apply(watermark uint64, changes []Change) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		root := tx.Bucket(bucketKnown)
		buckets := map[string]*bolt.Bucket{}
		for _, c := range changes {
			b := buckets[c.Source]
			if b == nil {
				var err error
				if b, err = root.CreateBucketIfNotExists([]byte(c.Source)); err != nil {
					return err
				}
				buckets[c.Source] = b
			}
			k := c.Known
			if c.SeenOnly {
				v := b.Get([]byte(c.ID))
				if v == nil {
					continue
				}
				old, ok := decodeKnown(v)
				if !ok || !k.Seen.After(old.Seen) {
					continue
				}
				old.Seen = k.Seen
				k = old
			}
			if err := b.Put([]byte(c.ID), encodeKnown(k)); err != nil {
				return err
			}
		}
		if watermark > 0 {
			meta := tx.Bucket(bucketMeta)
			if cur := readUint(meta.Get(keyWatermark)); watermark > cur {
				return meta.Put(keyWatermark, binary.BigEndian.AppendUint64(nil, watermark))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("state: known: %w", err)
	}
	return nil
}

// Watermark returns the archive sequence number the known reviews are up
// to date with.
func (s *Store) Watermark() (uint64, error) {
	var w uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bucketMeta); meta != nil {
			w = readUint(meta.Get(keyWatermark))
		}
		return nil
	})
	return w, err
}

func readUint(v []byte) uint64 {
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// Ext is an extension bucket: a namespace of keys for another part of
// Vigie (for example "alerts"), stored in the same transactional file.
type Ext struct {
	s    *Store
	name []byte
}

// Ext returns the extension bucket called name.
func (s *Store) Ext(name string) *Ext { return &Ext{s: s, name: []byte(name)} }

// Get returns the value of key, or nil.
func (e *Ext) Get(key string) ([]byte, error) {
	var out []byte
	err := e.s.db.View(func(tx *bolt.Tx) error {
		if b := e.bucket(tx); b != nil {
			if v := b.Get([]byte(key)); v != nil {
				out = append([]byte(nil), v...)
			}
		}
		return nil
	})
	return out, err
}

// Put sets key to value.
func (e *Ext) Put(key string, value []byte) error {
	return e.Update(func(b *bolt.Bucket) error { return b.Put([]byte(key), value) })
}

// Delete removes key.
func (e *Ext) Delete(key string) error {
	return e.Update(func(b *bolt.Bucket) error { return b.Delete([]byte(key)) })
}

// GetJSON decodes the value of key into v; it reports false when the key
// is not set.
func (e *Ext) GetJSON(key string, v any) (bool, error) {
	b, err := e.Get(key)
	if err != nil || b == nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

// PutJSON stores v as JSON under key.
func (e *Ext) PutJSON(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return e.Put(key, b)
}

// ForEach calls fn for each key in order; fn must not keep the slices.
func (e *Ext) ForEach(fn func(key string, value []byte) error) error {
	return e.s.db.View(func(tx *bolt.Tx) error {
		b := e.bucket(tx)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error { return fn(string(k), v) })
	})
}

// Update runs fn in a read-write transaction on the bucket, for changes of
// several keys at once.
func (e *Ext) Update(fn func(b *bolt.Bucket) error) error {
	return e.s.db.Update(func(tx *bolt.Tx) error {
		root := tx.Bucket(bucketExt)
		if root == nil {
			return errors.New("state: read-only store")
		}
		b, err := root.CreateBucketIfNotExists(e.name)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

func (e *Ext) bucket(tx *bolt.Tx) *bolt.Bucket {
	root := tx.Bucket(bucketExt)
	if root == nil {
		return nil
	}
	return root.Bucket(e.name)
}

// SortByID orders states by source id.
func SortByID(states []SourceState) {
	sort.Slice(states, func(i, j int) bool { return states[i].ID < states[j].ID })
}
