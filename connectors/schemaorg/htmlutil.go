package schemaorg

import (
	"strings"

	"golang.org/x/net/html"
)

// attr returns the value of e's attribute key and whether it is present.
// The HTML parser lower-cases attribute names.
func attr(e *html.Node, key string) (string, bool) {
	for _, a := range e.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val, true
		}
	}
	return "", false
}

func attrVal(e *html.Node, key string) string {
	v, _ := attr(e, key)
	return v
}

// innerHTML renders e's children, the markup that textnorm.HTML turns into
// text with its paragraphs.
func innerHTML(e *html.Node) string {
	var b strings.Builder
	for c := e.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			break
		}
	}
	return b.String()
}

// textContent is the concatenated text of e, for small elements such as
// <script> blocks.
func textContent(e *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(e)
	return b.String()
}

// elementValue is the value of a microdata itemprop or RDFa property
// element. It follows the microdata rules (meta content, time datetime,
// a/link href, img src, data value) and also takes a content attribute on
// any element, as RDFa does and as many microdata pages assume
// (<span itemprop="ratingValue" content="4.5">★★★★½</span>). Links keep
// their text beside the href: an author in <a itemprop="author"
// href="/u/7">Ann</a> is Ann.
func elementValue(e *html.Node) value {
	if c, ok := attr(e, "content"); ok {
		return value{text: c}
	}
	switch e.Data {
	case "meta":
		return value{}
	case "time":
		if d, ok := attr(e, "datetime"); ok && strings.TrimSpace(d) != "" {
			return value{text: d}
		}
	case "data", "meter":
		if d, ok := attr(e, "value"); ok {
			return value{text: d}
		}
	case "a", "area", "link":
		v := value{href: attrVal(e, "href")}
		if e.Data != "link" {
			v.elem = e
		}
		return v
	case "img", "audio", "embed", "iframe", "source", "track", "video":
		return value{href: attrVal(e, "src")}
	case "object":
		return value{href: attrVal(e, "data")}
	}
	if r, ok := attr(e, "resource"); ok && e.FirstChild == nil {
		return value{href: r}
	}
	return value{elem: e}
}
