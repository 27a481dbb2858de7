package alert

import (
	"sort"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/vigie-dev/vigie/internal/store"
)

// StateStore persists what alerting must remember across restarts: the
// alerts, the outbox of notifications, the aggregated history of each
// location (counts by hour, not review texts beyond short excerpts), the
// state of sources and of digests. Keys are strings with a prefix by
// type; values are opaque.
type StateStore interface {
	// Load calls fn for every key, in key order.
	Load(fn func(key string, value []byte) error) error
	// Apply writes puts and removes deletes in one transaction.
	Apply(puts map[string][]byte, deletes []string) error
}

// MemoryState is a StateStore in memory, for tests and for `vigie alerts
// test`. It is safe for concurrent use.
type MemoryState struct {
	mu sync.Mutex
	m  map[string][]byte
	// Writes counts Apply calls.
	Writes int
}

// NewMemoryState returns an empty MemoryState.
func NewMemoryState() *MemoryState { return &MemoryState{m: map[string][]byte{}} }

// Load implements StateStore.
func (s *MemoryState) Load(fn func(string, []byte) error) error {
	s.mu.Lock()
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		vals[i] = s.m[k]
	}
	s.mu.Unlock()
	for i, k := range keys {
		if err := fn(k, vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// Apply implements StateStore.
func (s *MemoryState) Apply(puts map[string][]byte, deletes []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Writes++
	for _, k := range deletes {
		delete(s.m, k)
	}
	for k, v := range puts {
		s.m[k] = append([]byte(nil), v...)
	}
	return nil
}

// Keys returns the keys with prefix, sorted (tests).
func (s *MemoryState) Keys(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// ExtState keeps alerting's state in an extension bucket of Vigie's state
// store (internal/store), in the same transactional file as the sources'
// state: NewExtState(svc.State.Ext("alerts")).
type ExtState struct{ ext *store.Ext }

// NewExtState returns a StateStore over ext.
func NewExtState(ext *store.Ext) *ExtState { return &ExtState{ext: ext} }

// Load implements StateStore.
func (s *ExtState) Load(fn func(string, []byte) error) error {
	return s.ext.ForEach(func(k string, v []byte) error { return fn(k, append([]byte(nil), v...)) })
}

// Apply implements StateStore.
func (s *ExtState) Apply(puts map[string][]byte, deletes []string) error {
	return s.ext.Update(func(b *bolt.Bucket) error { return applyBucket(b, puts, deletes) })
}

// BoltState keeps alerting's state in a bucket of a bbolt file of its own.
type BoltState struct {
	db     *bolt.DB
	bucket []byte
}

// NewBoltState returns a StateStore over bucket of db, creating it.
func NewBoltState(db *bolt.DB, bucket string) (*BoltState, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte(bucket))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &BoltState{db: db, bucket: []byte(bucket)}, nil
}

// Load implements StateStore.
func (s *BoltState) Load(fn func(string, []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(s.bucket).ForEach(func(k, v []byte) error { return fn(string(k), append([]byte(nil), v...)) })
	})
}

// Apply implements StateStore.
func (s *BoltState) Apply(puts map[string][]byte, deletes []string) error {
	return s.db.Update(func(tx *bolt.Tx) error { return applyBucket(tx.Bucket(s.bucket), puts, deletes) })
}

func applyBucket(b *bolt.Bucket, puts map[string][]byte, deletes []string) error {
	for _, k := range deletes {
		if err := b.Delete([]byte(k)); err != nil {
			return err
		}
	}
	for k, v := range puts {
		if err := b.Put([]byte(k), v); err != nil {
			return err
		}
	}
	return nil
}

// nopState persists nothing (simulations).
type nopState struct{}

func (nopState) Load(func(string, []byte) error) error   { return nil }
func (nopState) Apply(map[string][]byte, []string) error { return nil }
