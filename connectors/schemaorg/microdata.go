package schemaorg

import (
	"strings"

	"golang.org/x/net/html"
)

// maxItemrefs bounds itemref expansions per page: each copies a subtree's
// properties into an item, and a hostile page could make that quadratic.
const maxItemrefs = 1000

// microdata reads the HTML microdata items of the page (itemscope,
// itemtype, itemprop, itemid, itemref). Items are roots when they are not
// the property of another item, including an itemprop'd item with no
// enclosing item, which WordPress rating plugins emit.
func microdata(root *html.Node) []*node {
	w := &mdWalker{ids: map[string]*html.Node{}, expanding: map[*html.Node]bool{}}
	w.index(root)
	w.walk(root, nil)
	return w.roots
}

type mdWalker struct {
	ids       map[string]*html.Node
	roots     []*node
	expanding map[*html.Node]bool
	refs      int
}

// index maps element ids for itemref, only when the page uses itemref.
func (w *mdWalker) index(n *html.Node) {
	var uses bool
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if _, ok := attr(n, "itemref"); ok {
				uses = true
			}
			if id, ok := attr(n, "id"); ok {
				if _, dup := w.ids[id]; !dup {
					w.ids[id] = n
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(n)
	if !uses {
		w.ids = nil
	}
}

func (w *mdWalker) walk(n *html.Node, cur *node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.visit(c, cur)
	}
}

func (w *mdWalker) visit(e *html.Node, cur *node) {
	if e.Type != html.ElementNode {
		return
	}
	switch e.Data {
	case "script", "style", "template":
		return
	}
	var props []string
	for _, p := range strings.Fields(attrVal(e, "itemprop")) {
		if p = localName(p); p != "" {
			props = append(props, p)
		}
	}
	if _, scope := attr(e, "itemscope"); scope {
		item := newNode()
		for _, t := range strings.Fields(attrVal(e, "itemtype")) {
			if t = localName(t); t != "" {
				item.types = append(item.types, t)
			}
		}
		item.id = strings.TrimSpace(attrVal(e, "itemid"))
		if cur != nil && len(props) > 0 {
			for _, p := range props {
				cur.add(p, value{node: item, elem: e})
			}
		} else {
			w.roots = append(w.roots, item)
		}
		w.walk(e, item)
		w.itemref(e, item)
		return
	}
	if cur != nil && len(props) > 0 {
		v := elementValue(e)
		for _, p := range props {
			cur.add(p, v)
		}
	}
	w.walk(e, cur)
}

// itemref adds to item the properties of the elements its itemref names.
func (w *mdWalker) itemref(e *html.Node, item *node) {
	if w.ids == nil {
		return
	}
	for _, id := range strings.Fields(attrVal(e, "itemref")) {
		target := w.ids[id]
		if target == nil || w.expanding[target] || isAncestorOrSelf(target, e) || w.refs >= maxItemrefs {
			continue
		}
		w.refs++
		w.expanding[target] = true
		w.visit(target, item)
		delete(w.expanding, target)
	}
}

// isAncestorOrSelf reports whether a is b or one of b's ancestors.
func isAncestorOrSelf(a, b *html.Node) bool {
	for n := b; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}
