package schemaorg

import (
	"maps"
	"strings"

	"golang.org/x/net/html"
)

// defaultPrefixes are the RDFa prefixes assumed without a declaration:
// "schema" from the RDFa 1.1 initial context, and "v", the prefix every
// data-vocabulary.org example used.
var defaultPrefixes = map[string]string{
	"schema": "http://schema.org/",
	"v":      "http://rdf.data-vocabulary.org/#",
	"dv":     "http://rdf.data-vocabulary.org/#",
}

// rdfa reads RDFa Lite items (vocab, typeof, property, resource, prefix)
// and the RDFa 1.0 forms of legacy data-vocabulary.org markup (xmlns:v,
// rel="v:rating" around a typeof). Only schema.org and data-vocabulary.org
// terms are kept, so that Open Graph and Dublin Core properties on the
// same page do not leak into reviews.
func rdfa(root *html.Node) []*node {
	w := &rdfaWalker{}
	w.walk(root, nil, defaultPrefixes, nil)
	return w.roots
}

type rdfaWalker struct {
	roots []*node
}

func (w *rdfaWalker) walk(n *html.Node, cur *node, prefixes map[string]string, pendingRel []string) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.visit(c, cur, prefixes, pendingRel)
	}
}

func (w *rdfaWalker) visit(e *html.Node, cur *node, prefixes map[string]string, pendingRel []string) {
	if e.Type != html.ElementNode {
		return
	}
	switch e.Data {
	case "script", "style", "template":
		return
	}
	prefixes = scopePrefixes(e, prefixes)
	props := terms(attrVal(e, "property"), prefixes, false)
	// rel is also HTML's link relation (nofollow, next): only prefixed
	// terms of a known vocabulary are RDFa.
	rels := terms(attrVal(e, "rel"), prefixes, true)
	if typeOf, ok := attr(e, "typeof"); ok {
		item := newNode()
		for _, t := range terms(typeOf, prefixes, false) {
			item.types = append(item.types, t)
		}
		item.id = strings.TrimSpace(attrVal(e, "about"))
		if item.id == "" {
			item.id = strings.TrimSpace(attrVal(e, "resource"))
		}
		names := props
		if len(names) == 0 {
			names = rels
		}
		if len(names) == 0 {
			names = pendingRel
		}
		if cur != nil && len(names) > 0 {
			for _, p := range names {
				cur.add(p, value{node: item, elem: e})
			}
		} else {
			w.roots = append(w.roots, item)
		}
		w.walk(e, item, prefixes, nil)
		return
	}
	if cur != nil && len(props) > 0 {
		v := elementValue(e)
		for _, p := range props {
			cur.add(p, v)
		}
	}
	if cur != nil && len(rels) > 0 {
		pendingRel = rels
	}
	w.walk(e, cur, prefixes, pendingRel)
}

// scopePrefixes returns the prefixes in scope inside e: its prefix
// attribute (RDFa 1.1) and xmlns:* attributes (RDFa 1.0) added to the
// outer ones.
func scopePrefixes(e *html.Node, outer map[string]string) map[string]string {
	var inner map[string]string
	set := func(p, iri string) {
		if inner == nil {
			inner = maps.Clone(outer)
		}
		inner[strings.ToLower(p)] = iri
	}
	for _, a := range e.Attr {
		switch {
		case a.Key == "prefix":
			f := strings.Fields(a.Val)
			for i := 0; i+1 < len(f); i += 2 {
				if p, ok := strings.CutSuffix(f[i], ":"); ok {
					set(p, f[i+1])
				}
			}
		case strings.HasPrefix(a.Key, "xmlns:"):
			set(strings.TrimPrefix(a.Key, "xmlns:"), a.Val)
		case a.Namespace == "xmlns":
			set(a.Key, a.Val)
		}
	}
	if inner == nil {
		return outer
	}
	return inner
}

// terms lists the local names of the schema.org and data-vocabulary.org
// terms in an RDFa attribute. With prefixedOnly, bare terms are ignored.
func terms(s string, prefixes map[string]string, prefixedOnly bool) []string {
	var out []string
	for _, t := range strings.Fields(s) {
		if prefixedOnly && !strings.Contains(t, ":") {
			continue
		}
		if !vocabOK(t, prefixes) {
			continue
		}
		if n := localName(t); n != "" {
			out = append(out, n)
		}
	}
	return out
}
