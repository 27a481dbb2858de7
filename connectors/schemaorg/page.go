package schemaorg

import (
	"bytes"
	"net/url"
	"slices"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/vigie-dev/vigie/connectors"
)

// page is a parsed document: its structured-data roots in each syntax and
// its pagination links.
type page struct {
	jsonld, micro, rdfa []*node
	warnings            []string
	// base resolves relative links: the document URL with any <base href>
	// applied. It is nil when the document has no URL.
	base *url.URL
	// self and canonical are the page's own URLs without fragment.
	self, canonical string
	next            []string
	// monthFirst says the page is American English, whose numeric dates
	// (02/03/2024) put the month first.
	monthFirst bool
}

// parsePage parses doc. A JSON document (a saved .jsonld file, an API
// answering JSON-LD) is read as one JSON-LD block.
func parsePage(doc connectors.Document, nextSel cascadia.Matcher) *page {
	pg := &page{}
	if u, err := url.Parse(strings.TrimSpace(doc.URL)); err == nil && doc.URL != "" {
		pg.base = u
		pg.self = stripFragment(u)
	}
	if looksJSON(doc) {
		pg.jsonld, pg.warnings = jsonLD(string(doc.Body), 1)
		return pg
	}
	root, err := html.Parse(bytes.NewReader(doc.Body))
	if err != nil {
		// Only a failing reader makes html.Parse fail; a byte slice does not.
		pg.warnings = append(pg.warnings, "page: unreadable HTML: "+err.Error())
		return pg
	}

	var rawNext []string
	blocks := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "html":
				lang := strings.ToLower(strings.TrimSpace(attrVal(n, "lang")))
				if lang == "" {
					lang = strings.ToLower(strings.TrimSpace(attrVal(n, "xml:lang")))
				}
				pg.monthFirst = lang == "en-us" || lang == "en_us"
			case "script":
				if strings.Contains(strings.ToLower(attrVal(n, "type")), "ld+json") {
					blocks++
					roots, warns := jsonLD(textContent(n), blocks)
					pg.jsonld = append(pg.jsonld, roots...)
					pg.warnings = append(pg.warnings, warns...)
				}
				return
			case "base":
				if href := strings.TrimSpace(attrVal(n, "href")); href != "" {
					if b, err := url.Parse(href); err == nil {
						if pg.base != nil {
							pg.base = pg.base.ResolveReference(b)
						} else if b.IsAbs() {
							pg.base = b
						}
					}
				}
			case "link", "a", "area":
				rels := strings.Fields(strings.ToLower(attrVal(n, "rel")))
				if slices.Contains(rels, "next") {
					rawNext = append(rawNext, attrVal(n, "href"))
				}
				if n.Data == "link" && slices.Contains(rels, "canonical") && pg.canonical == "" {
					pg.canonical = attrVal(n, "href")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	pg.micro = microdata(root)
	pg.rdfa = rdfa(root)

	if nextSel != nil {
		for _, e := range cascadia.QueryAll(root, nextSel) {
			rawNext = append(rawNext, linkOf(e))
		}
	}
	if pg.canonical != "" {
		if u := pg.resolve(pg.canonical); u != "" {
			pg.canonical = u
		}
	}
	for _, h := range rawNext {
		u := pg.resolve(h)
		if u == "" || u == pg.self || slices.Contains(pg.next, u) {
			continue
		}
		pg.next = append(pg.next, u)
	}
	return pg
}

// linkOf is the link an element selected as "next" stands for: its href,
// or the href of the first link inside it.
func linkOf(e *html.Node) string {
	if h, ok := attr(e, "href"); ok {
		return h
	}
	var found string
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode && n != e {
			if h, ok := attr(n, "href"); ok {
				found = h
				return true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(e)
	return found
}

// resolve makes a link absolute against the page's base, without its
// fragment. Links that lead nowhere fetchable (empty, fragment-only,
// javascript:, mailto:) are "".
func (pg *page) resolve(href string) string {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if pg.base != nil {
		u = pg.base.ResolveReference(u)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return stripFragment(u)
}

func stripFragment(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// looksJSON reports whether doc is JSON rather than HTML.
func looksJSON(doc connectors.Document) bool {
	ct := strings.ToLower(doc.ContentType)
	if strings.Contains(ct, "json") {
		return true
	}
	if strings.Contains(ct, "html") {
		return false
	}
	b := bytes.TrimLeft(doc.Body, " \t\r\n\ufeff")
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}
