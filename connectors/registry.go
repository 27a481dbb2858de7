package connectors

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// Kind describes one source kind: how to read its parameters, how to build
// a connector for a run, and how to extract reviews from a saved document.
type Kind struct {
	// Name is the value of `kind:` in the configuration.
	Name string
	// Summary is one line for help texts.
	Summary string
	// NewParams returns a pointer to a fresh parameter struct holding the
	// defaults. The configuration loader decodes the source's keys into it
	// strictly and calls its Validate method, if any.
	NewParams func() any
	// New builds a connector for one run of a source; env.Source.Params
	// holds what NewParams returned, filled in.
	New func(env Env) (Connector, error)
	// Extract reads a saved document of this kind (a page, an API
	// response, a feed). params is nil when there is no configured source,
	// as with `vigie extract`: use the defaults. Optional.
	Extract func(ctx context.Context, params any, doc Document) (Extraction, error)
	// Detect scores how much doc looks like this kind's content, from 0
	// (not at all) to 100, so that `vigie extract` can pick a kind.
	// Optional.
	Detect func(doc Document) int
}

// Registry holds the known source kinds. It rejects a kind registered
// twice.
type Registry struct {
	mu    sync.RWMutex
	kinds map[string]Kind
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: map[string]Kind{}} }

// Default is the registry that connector packages add themselves to.
var Default = NewRegistry()

// Register adds a kind to the default registry; it panics on a duplicate
// or incomplete kind, which is a programming error found at start-up.
func Register(k Kind) {
	if err := Default.Add(k); err != nil {
		panic(err)
	}
}

// Add registers a kind.
func (r *Registry) Add(k Kind) error {
	if k.Name == "" || k.New == nil || k.NewParams == nil {
		return fmt.Errorf("connectors: kind %q needs a name, New and NewParams", k.Name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.kinds[k.Name]; ok {
		return fmt.Errorf("connectors: kind %q is registered twice", k.Name)
	}
	r.kinds[k.Name] = k
	return nil
}

// Lookup returns the kind called name.
func (r *Registry) Lookup(name string) (Kind, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.kinds[name]
	return k, ok
}

// Names lists the registered kinds in alphabetical order.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.kinds))
	for n := range r.kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Params implements config.Kinds.
func (r *Registry) Params(kind string) (any, bool) {
	k, ok := r.Lookup(kind)
	if !ok {
		return nil, false
	}
	return k.NewParams(), true
}

// Detect returns the kind whose extractor most likely reads doc.
func (r *Registry) Detect(doc Document) (Kind, bool) {
	var best Kind
	score := 0
	for _, name := range r.Names() {
		k, _ := r.Lookup(name)
		if k.Detect == nil || k.Extract == nil {
			continue
		}
		if s := k.Detect(doc); s > score {
			best, score = k, s
		}
	}
	return best, score > 0
}

// New builds a connector for env.Source.
func (r *Registry) New(env Env) (Connector, error) {
	k, ok := r.Lookup(env.Source.Kind)
	if !ok {
		return nil, fmt.Errorf("connectors: unknown kind %q", env.Source.Kind)
	}
	return k.New(env)
}
