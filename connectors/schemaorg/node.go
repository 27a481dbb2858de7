package schemaorg

import (
	"strings"

	"golang.org/x/net/html"

	"github.com/vigie-dev/vigie/internal/textnorm"
)

// node is one structured-data item, whatever syntax it came from: a
// JSON-LD object, a microdata itemscope or an RDFa typeof element. Types
// and property names are reduced to lower-case local names ("review",
// "reviewbody"), so that "http://schema.org/Review", "schema:Review",
// "review" and data-vocabulary.org's terms all read the same.
type node struct {
	types []string
	// id is the node's own identifier: JSON-LD @id, microdata itemid, RDFa
	// resource or about.
	id    string
	props map[string][]value
	keys  []string // property names in document order
	// ref marks a JSON-LD object that only points at another node by @id.
	ref bool
}

// value is one value of a property: a nested node or a literal.
type value struct {
	node *node
	// text is the literal: a JSON scalar or an attribute value; html says
	// it may hold markup.
	text string
	html bool
	// elem is the microdata or RDFa element the value came from; its inner
	// HTML is the literal when text is empty, and the fallback text of a
	// nested item that has no name ("<span itemprop=author itemscope
	// itemtype=Person>Ann</span>").
	elem *html.Node
	// href is the link of an <a>, <link> or <img> element (microdata and
	// RDFa), kept apart from its text so that each property takes the one
	// it means.
	href string
	// lang is a JSON-LD @language.
	lang string
}

func newNode() *node { return &node{props: map[string][]value{}} }

func (n *node) add(name string, v value) {
	if _, ok := n.props[name]; !ok {
		n.keys = append(n.keys, name)
	}
	n.props[name] = append(n.props[name], v)
}

// get returns the values of the first of names that has any.
func (n *node) get(names ...string) []value {
	for _, name := range names {
		if vs := n.props[name]; len(vs) > 0 {
			return vs
		}
	}
	return nil
}

// str is the first text among the values of names, tried in order.
func (n *node) str(names ...string) string {
	for _, name := range names {
		if s := firstStr(n.props[name]); s != "" {
			return s
		}
	}
	return ""
}

// raw is the first machine-readable literal among the values of names,
// tried in order.
func (n *node) raw(names ...string) string {
	for _, name := range names {
		if s := firstRaw(n.props[name]); s != "" {
			return s
		}
	}
	return ""
}

// is reports whether n has one of types.
func (n *node) is(types ...string) bool {
	for _, t := range n.types {
		for _, want := range types {
			if t == want {
				return true
			}
		}
	}
	return false
}

// localName reduces a type or property IRI, a prefixed name or a term to
// its lower-case local name: "https://schema.org/Review", "schema:Review"
// and "Review" are all "review".
func localName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "/#:"); i >= 0 {
		s = s[i+1:]
	}
	return strings.ToLower(s)
}

// vocabOK reports whether a type or property IRI or prefixed name belongs
// to schema.org or data-vocabulary.org (or is a bare term). prefixes maps
// the RDFa prefixes in scope to their IRIs.
func vocabOK(s string, prefixes map[string]string) bool {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "://") {
		return knownVocab(s)
	}
	prefix, _, ok := strings.Cut(s, ":")
	if !ok {
		return true
	}
	if iri, ok := prefixes[strings.ToLower(prefix)]; ok {
		return knownVocab(iri)
	}
	return false
}

func knownVocab(iri string) bool {
	iri = strings.ToLower(iri)
	return strings.Contains(iri, "schema.org") || strings.Contains(iri, "data-vocabulary.org")
}

// str is a value read as one line of text: a node's name, else the
// literal, else the link.
func (v value) str() string {
	if v.node != nil {
		if s := nodeName(v.node); s != "" || v.elem == nil {
			return s
		}
	}
	if s := v.line(); s != "" {
		return s
	}
	return strings.TrimSpace(v.href)
}

// literal is the value's text and whether it is markup.
func (v value) literal() (string, bool) {
	if v.text == "" && v.elem != nil {
		// Line breaks in an element's source are spaces, as a browser
		// shows them; its <br> and <p> are the text's line breaks.
		return sourceSpace.Replace(innerHTML(v.elem)), true
	}
	return v.text, v.html
}

var sourceSpace = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// line is the literal on one line, markup and character references
// resolved.
func (v value) line() string {
	s, isHTML := v.literal()
	if isHTML || strings.Contains(s, "<") {
		return strings.ReplaceAll(textnorm.HTML(s), "\n", " ")
	}
	return textnorm.Line(s)
}

// body is the literal as review text, paragraphs kept.
func (v value) body() string {
	if v.node != nil {
		return ""
	}
	s, _ := v.literal()
	return textnorm.HTML(s)
}

// raw is the literal for machine-readable values (numbers, dates, codes):
// markup removed, on one line.
func (v value) raw() string {
	if v.node != nil && v.elem == nil {
		return ""
	}
	if s := v.line(); s != "" {
		return s
	}
	return strings.TrimSpace(v.href)
}

// link is the value as a URL: the element's link, else the literal.
func (v value) link() string {
	if v.href != "" {
		return strings.TrimSpace(v.href)
	}
	if v.node != nil {
		return v.node.id
	}
	return strings.TrimSpace(v.text)
}

// nodeName is what a node is called: name, else given and family names,
// else alternateName or headline.
func nodeName(n *node) string {
	if s := n.str("name"); s != "" {
		return s
	}
	given, family := n.str("givenname"), n.str("familyname")
	if s := strings.TrimSpace(given + " " + family); s != "" {
		return s
	}
	return n.str("alternatename", "headline", "legalname")
}

// firstStr is the first non-empty str of vs.
func firstStr(vs []value) string {
	for _, v := range vs {
		if s := v.str(); s != "" {
			return s
		}
	}
	return ""
}

// firstRaw is the first non-empty raw literal of vs.
func firstRaw(vs []value) string {
	for _, v := range vs {
		if s := v.raw(); s != "" {
			return s
		}
	}
	return ""
}
