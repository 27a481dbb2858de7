package connutil

import (
	"net/url"
	"slices"
	"strings"
)

// Frontier is the queue of a crawl that starts from a site's pages and
// follows their next links, first in, first out. A URL is queued at most
// once per run, compared without its fragment (VisitKey); a page reached
// under another URL (a redirect) is marked with Reached so that no link
// queues it again.
type Frontier struct {
	queue []string
	seen  map[string]bool
}

// NewFrontier queues the start pages, in order, as they are given.
func NewFrontier(starts []string) *Frontier {
	f := &Frontier{queue: slices.Clone(starts), seen: map[string]bool{}}
	for _, u := range starts {
		f.seen[VisitKey(u)] = true
	}
	return f
}

// Len is the number of pages queued.
func (f *Frontier) Len() int { return len(f.queue) }

// Pop takes the first page queued; the queue must not be empty.
func (f *Frontier) Pop() string {
	u := f.queue[0]
	f.queue = f.queue[1:]
	return u
}

// Reached marks u as visited, such as the final URL of a page after
// redirects: no link queues it afterwards.
func (f *Frontier) Reached(u string) { f.seen[VisitKey(u)] = true }

// Links returns those of links, found on the page at from, that Push
// would queue now: on from's site (SameSite) and neither queued nor
// reached before. It queues nothing.
func (f *Frontier) Links(from string, links []string) []string {
	var out []string
	for _, l := range links {
		if !f.seen[VisitKey(l)] && SameSite(from, l) {
			out = append(out, l)
		}
	}
	return out
}

// Push queues links, in order, but those queued or reached before.
func (f *Frontier) Push(links ...string) {
	for _, l := range links {
		if k := VisitKey(l); !f.seen[k] {
			f.seen[k] = true
			f.queue = append(f.queue, l)
		}
	}
}

// VisitKey identifies a URL for "visited": the URL without its fragment
// (raw itself when it does not parse).
func VisitKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// SameSite reports whether a next link to stays on the site of the page
// from where it was found (www. or not), and is http(s): pagination never
// leaves the site, and a link that does is more likely an advertisement.
func SameSite(from, to string) bool {
	a, errA := url.Parse(from)
	b, errB := url.Parse(to)
	if errA != nil || errB != nil || (b.Scheme != "http" && b.Scheme != "https") {
		return false
	}
	strip := func(h string) string { return strings.TrimPrefix(strings.ToLower(h), "www.") }
	return strip(a.Hostname()) == strip(b.Hostname())
}
