package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileLock is an exclusive lock between processes, held as long as its
// file is open (a tiny bbolt file: bbolt's file locking works on every
// system Vigie builds for).
type FileLock struct{ db *bolt.DB }

// ErrBusy is returned by Lock when another process holds the lock.
var ErrBusy = errors.New("locked by another process")

// Lock takes the lock at path, waiting for timeout at most.
func Lock(path string, timeout time.Duration) (*FileLock, error) {
	if timeout <= 0 {
		timeout = 50 * time.Millisecond
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("%s: %w", path, ErrBusy)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &FileLock{db: db}, nil
}

// Unlock releases the lock.
func (l *FileLock) Unlock() error {
	if l == nil || l.db == nil {
		return nil
	}
	err := l.db.Close()
	l.db = nil
	return err
}
