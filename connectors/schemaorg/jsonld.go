package schemaorg

import (
	"fmt"
	"html"
	"strings"
)

// jsonLD reads one JSON-LD block into nodes: the members of @graph and
// the top-level objects (or array elements) are roots. n is the block's
// 1-based position on the page, for warnings. A block that is partly
// unreadable yields what could be read, with a warning.
func jsonLD(text string, n int) (roots []*node, warnings []string) {
	if !strings.Contains(text, `"`) && strings.Contains(text, "&quot;") {
		// A CMS escaped the whole block as if it were HTML text.
		text = html.UnescapeString(text)
	}
	vals, problems := parseLenient(text)
	if len(problems) > 0 {
		more := ""
		if len(problems) > 1 {
			more = fmt.Sprintf(" (and %d more problems)", len(problems)-1)
		}
		warnings = append(warnings, fmt.Sprintf("json-ld block %d: malformed JSON, kept what could be read: %s%s", n, problems[0], more))
	}
	if len(vals) == 0 && strings.TrimSpace(text) != "" && len(problems) == 0 {
		warnings = append(warnings, fmt.Sprintf("json-ld block %d: no JSON object found", n))
	}
	c := &ldConverter{}
	for _, v := range vals {
		c.top(v)
	}
	return c.roots, warnings
}

type ldConverter struct {
	roots []*node
}

// top adds the nodes of a top-level value.
func (c *ldConverter) top(v any) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			c.top(e)
		}
	case *jobject:
		if g, ok := v.get("@graph"); ok {
			// The container itself counts only if it says something.
			if n := c.node(v); len(n.types) > 0 || len(n.keys) > 0 {
				c.roots = append(c.roots, n)
			}
			c.top(g)
			return
		}
		for _, val := range c.values(v, "") {
			if val.node != nil {
				c.roots = append(c.roots, val.node)
			}
		}
	}
}

// node converts an object to a node; @graph members found inside it
// become roots.
func (c *ldConverter) node(o *jobject) *node {
	n := newNode()
	for i, k := range o.keys {
		v := o.vals[i]
		switch k {
		case "@type", "type":
			if k == "type" {
				// A plain "type" is a property in schema.org terms only
				// when @type is present; otherwise pages mean @type.
				if _, ok := o.get("@type"); ok {
					break
				}
			}
			for _, t := range strs(v) {
				if t = localName(t); t != "" {
					n.types = append(n.types, t)
				}
			}
			continue
		case "@id", "id":
			if _, ok := o.get("@id"); ok && k == "id" {
				break // a property named id beside @id
			}
			// schema.org's context makes "id" an alias of @id.
			switch v := v.(type) {
			case string:
				n.id = strings.TrimSpace(v)
			case jnumber:
				n.id = string(v)
			}
			continue
		case "@graph":
			c.top(v)
			continue
		}
		if strings.HasPrefix(k, "@") {
			continue // @context, @reverse, @index...
		}
		lang := ""
		if l, ok := o.get("@language"); ok {
			lang, _ = l.(string)
		}
		name := localName(k)
		if name == "" {
			continue
		}
		for _, val := range c.values(v, lang) {
			n.add(name, val)
		}
	}
	n.ref = n.id != "" && len(n.types) == 0 && len(n.keys) == 0
	return n
}

// values converts a property value: arrays are flattened, value objects
// (@value) and lists (@list, @set) unwrapped.
func (c *ldConverter) values(v any, lang string) []value {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []value{{text: v, html: true, lang: lang}}
	case jnumber:
		return []value{{text: string(v)}}
	case bool:
		if v {
			return []value{{text: "true"}}
		}
		return []value{{text: "false"}}
	case []any:
		var out []value
		for _, e := range v {
			out = append(out, c.values(e, lang)...)
		}
		return out
	case *jobject:
		if val, ok := v.get("@value"); ok {
			l := lang
			if s, ok := v.get("@language"); ok {
				l, _ = s.(string)
			}
			out := c.values(val, l)
			for i := range out {
				out[i].lang = l
			}
			return out
		}
		for _, key := range []string{"@list", "@set"} {
			if list, ok := v.get(key); ok {
				return c.values(list, lang)
			}
		}
		return []value{{node: c.node(v)}}
	}
	return nil
}

// strs lists the strings of a string or an array of strings.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
