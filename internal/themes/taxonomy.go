// Package themes finds what reviews talk about (service, waiting time,
// prices, cleanliness...) and the sentiment expressed about each theme.
//
// Themes come from a taxonomy: a built-in one for multi-location
// businesses (taxonomy.yaml, embedded), which the user's configuration
// extends, trims or replaces. Each theme lists terms per language: lemmas
// or phrases, matched by Snowball stem so that inflections match
// ("serveuses" finds "serveuse", "очереди" finds "очередь"), and terms
// ending in * match any word that starts with them ("lent*" finds
// "lente", "lenteur").
package themes

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigie-dev/vigie/config"
)

// Theme is one entry of a taxonomy.
type Theme struct {
	// Name identifies the theme in reviews and queries ("wait").
	Name string `yaml:"name"`
	// Label is the name shown to people ("Waiting time").
	Label string `yaml:"label"`
	// Terms lists words and phrases per language ("fr", "ru", "en").
	Terms map[string][]string `yaml:"terms"`
}

// Taxonomy is an ordered list of themes.
type Taxonomy struct {
	Themes []Theme `yaml:"themes"`
}

// Languages are the languages a taxonomy may list terms for.
var Languages = []string{"fr", "ru", "en"}

// Parse reads a taxonomy in YAML. Unknown keys, unnamed or duplicate
// themes and unknown languages are errors.
func Parse(data []byte) (*Taxonomy, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var t Taxonomy
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

func (t *Taxonomy) validate() error {
	seen := map[string]bool{}
	for i, th := range t.Themes {
		if th.Name == "" {
			return fmt.Errorf("themes: theme %d has no name", i+1)
		}
		if th.Name != strings.ToLower(th.Name) || strings.ContainsAny(th.Name, " \t") {
			return fmt.Errorf("themes: theme name %q must be lower case without spaces", th.Name)
		}
		if seen[th.Name] {
			return fmt.Errorf("themes: theme %q is defined twice", th.Name)
		}
		seen[th.Name] = true
		for lang, terms := range th.Terms {
			if !slices.Contains(Languages, lang) {
				return fmt.Errorf("themes: theme %q: unknown language %q (want fr, ru or en)", th.Name, lang)
			}
			for _, term := range terms {
				if strings.Trim(strings.TrimSpace(term), "*") == "" {
					return fmt.Errorf("themes: theme %q: empty %s term", th.Name, lang)
				}
			}
		}
	}
	return nil
}

// Clone returns a deep copy of t.
func (t *Taxonomy) Clone() *Taxonomy {
	c := &Taxonomy{Themes: make([]Theme, len(t.Themes))}
	for i, th := range t.Themes {
		c.Themes[i] = Theme{Name: th.Name, Label: th.Label, Terms: map[string][]string{}}
		for lang, terms := range th.Terms {
			c.Themes[i].Terms[lang] = slices.Clone(terms)
		}
	}
	return c
}

// Find returns the theme named name, or nil.
func (t *Taxonomy) Find(name string) *Theme {
	for i := range t.Themes {
		if t.Themes[i].Name == name {
			return &t.Themes[i]
		}
	}
	return nil
}

// Apply changes t as the user's configuration says, in order: a theme with
// Remove is removed; a known theme gets the terms (replacing its own with
// Replace) and the label; an unknown theme is added.
func (t *Taxonomy) Apply(cfgs []config.ThemeConfig) error {
	for _, c := range cfgs {
		name := strings.TrimSpace(c.Name)
		if name == "" {
			return fmt.Errorf("themes: a configured theme has no name")
		}
		if c.Remove {
			i := slices.IndexFunc(t.Themes, func(th Theme) bool { return th.Name == name })
			if i < 0 {
				return fmt.Errorf("themes: cannot remove theme %q: there is no such theme", name)
			}
			t.Themes = slices.Delete(t.Themes, i, i+1)
			continue
		}
		th := t.Find(name)
		if th == nil {
			t.Themes = append(t.Themes, Theme{Name: name, Label: name, Terms: map[string][]string{}})
			th = &t.Themes[len(t.Themes)-1]
		}
		if c.Label != "" {
			th.Label = c.Label
		}
		if c.Replace {
			th.Terms = map[string][]string{}
		}
		if th.Terms == nil {
			th.Terms = map[string][]string{}
		}
		for lang, terms := range c.Terms {
			th.Terms[lang] = append(th.Terms[lang], terms...)
		}
	}
	return t.validate()
}
