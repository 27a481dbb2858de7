package themes

import (
	_ "embed"
	"fmt"
	"sync"
)

//go:embed taxonomy.yaml
var defaultYAML []byte

var parseDefault = sync.OnceValues(func() (*Taxonomy, error) {
	t, err := Parse(defaultYAML)
	if err != nil {
		return nil, fmt.Errorf("built-in taxonomy: %w", err)
	}
	return t, nil
})

// Default returns a copy of the built-in taxonomy (taxonomy.yaml).
func Default() (*Taxonomy, error) {
	t, err := parseDefault()
	if err != nil {
		return nil, err
	}
	return t.Clone(), nil
}
