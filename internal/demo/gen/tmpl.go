package main

import (
	"fmt"
	"strings"
)

// Phrase banks are written in a small template language:
//
//	{a|b|c}   one of the alternatives, chosen at random (may be empty, may nest)
//	{g:m|f}   the masculine or feminine form, after the author's gender
//	{@name}   an entry of the named list (items, drinks, prices, the
//	          location's surroundings...), itself a template
//
// A template naming a list that the context lacks (say {@near} for a
// location with no such phrase in that language) is not eligible.

// ctx expands templates for one review.
type ctx struct {
	r      *rng
	gender int // 0 masculine, 1 feminine
	lists  map[string][]string
	used   map[string]bool // templates already used by this review
}

func (c *ctx) expand(s string) string {
	if strings.IndexByte(s, '{') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '{' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := closing(s, i)
		b.WriteString(c.choose(s[i+1 : j]))
		i = j + 1
	}
	return b.String()
}

func (c *ctx) choose(inner string) string {
	if name, ok := strings.CutPrefix(inner, "@"); ok {
		list := c.lists[name]
		if len(list) == 0 {
			panic(fmt.Sprintf("template list %q is missing", name))
		}
		return c.expand(pick(c.r, list))
	}
	if g, ok := strings.CutPrefix(inner, "g:"); ok {
		alts := splitTop(g)
		if len(alts) != 2 {
			panic(fmt.Sprintf("gender choice {g:%s} needs two forms", g))
		}
		return c.expand(alts[c.gender])
	}
	return c.expand(pick(c.r, splitTop(inner)))
}

// eligible reports whether every list the template names exists.
func (c *ctx) eligible(s string) bool {
	if c.used[s] {
		return false
	}
	for _, name := range listRefs(s) {
		if len(c.lists[name]) == 0 {
			return false
		}
	}
	return true
}

var refCache = map[string][]string{}

func listRefs(s string) []string {
	if refs, ok := refCache[s]; ok {
		return refs
	}
	var refs []string
	for rest := s; ; {
		i := strings.Index(rest, "{@")
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		refs = append(refs, rest[i+2:i+j])
		rest = rest[i+j:]
	}
	refCache[s] = refs
	return refs
}

// closing returns the index of the brace that closes the one at i.
func closing(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	panic(fmt.Sprintf("unbalanced braces in template %q", s))
}

// splitTop splits at the '|' that are not inside nested braces.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
