package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Index folders in a data folder. The first index lives in "index"; `vigie
// reindex` builds a new one beside it ("index-20260102T030405Z") and, once
// complete, names it in the pointer file CurrentFile, replaced atomically:
//
//	data/index/                     the first index
//	data/index-20260102T030405Z/    a rebuilt index
//	data/index.current              "index-20260102T030405Z"
//
// Without a pointer file the current index is "index".
const (
	// DefaultName is the first index's folder.
	DefaultName = "index"
	// CurrentFile names the current index's folder.
	CurrentFile = "index.current"
)

// Current returns the folder name of the current index of dataDir.
func Current(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, CurrentFile))
	if errors.Is(err, os.ErrNotExist) {
		return DefaultName, nil
	}
	if err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if !IsVersionName(name) {
		return "", fmt.Errorf("index: %s names %q, which is not an index folder", filepath.Join(dataDir, CurrentFile), name)
	}
	return name, nil
}

// CurrentDir returns the path of the current index of dataDir; on an
// unreadable pointer file it returns the default folder.
func CurrentDir(dataDir string) string {
	name, err := Current(dataDir)
	if err != nil {
		name = DefaultName
	}
	return filepath.Join(dataDir, name)
}

// NewVersionName names a new index folder built at t.
func NewVersionName(t time.Time) string {
	return DefaultName + "-" + t.UTC().Format("20060102T150405.000Z")
}

// IsVersionName reports whether name is an index folder name.
func IsVersionName(name string) bool {
	return name == DefaultName || (strings.HasPrefix(name, DefaultName+"-") && !strings.ContainsAny(name, `/\`) && name != DefaultName+"-")
}

// SetCurrent makes name the current index of dataDir, atomically: the
// pointer file is written beside and renamed over the old one.
func SetCurrent(dataDir, name string) error {
	if !IsVersionName(name) {
		return fmt.Errorf("index: %q is not an index folder name", name)
	}
	tmp := filepath.Join(dataDir, CurrentFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if _, err := f.WriteString(name + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("index: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("index: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dataDir, CurrentFile)); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if d, err := os.Open(dataDir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Versions lists the index folders of dataDir.
func Versions(dataDir string) ([]string, error) {
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("index: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && IsVersionName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
