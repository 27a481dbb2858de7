package schemaorg

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON-LD blocks of real pages are often not JSON: raw newlines and
// tabs inside strings, trailing commas, several objects in one block, a
// CDATA or HTML-comment wrapper, a byte-order mark, comments, single
// quotes, an unescaped quote inside a text. encoding/json rejects them
// all, and a rejected block loses every review in it. parseLenient reads
// what a browser's author meant and recovers past what it cannot read,
// so that one bad property costs that property only.

// jobject is a JSON object with its members in document order.
type jobject struct {
	keys []string
	vals []any
}

func (o *jobject) get(key string) (any, bool) {
	for i, k := range o.keys {
		if k == key {
			return o.vals[i], true
		}
	}
	return nil, false
}

// jnumber is a JSON number, kept as written.
type jnumber string

// maxJSONDepth bounds nesting; deeper values are skipped, not parsed.
const maxJSONDepth = 200

type jparser struct {
	s        string
	i        int
	depth    int
	problems []string
}

// parseLenient reads every JSON value of s. The values are *jobject,
// []any, string, jnumber, bool or nil. problems describe what had to be
// skipped (not what was merely repaired).
func parseLenient(s string) (vals []any, problems []string) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	p := &jparser{s: s}
	for {
		p.space(true)
		if p.i >= len(p.s) {
			break
		}
		switch c := p.s[p.i]; c {
		case '{', '[':
			if v, ok := p.value(); ok {
				vals = append(vals, v)
			}
		case ',', ';':
			p.i++
		default:
			// Text around the JSON (a variable assignment, junk): skip to
			// the next object or array.
			start := p.i
			next := strings.IndexAny(p.s[p.i:], "{[")
			if next < 0 {
				p.problem(start, "text outside JSON")
				p.i = len(p.s)
			} else {
				p.problem(start, "text outside JSON")
				p.i += next
			}
		}
	}
	return vals, p.problems
}

func (p *jparser) problem(at int, format string, args ...any) {
	if len(p.problems) < 20 {
		p.problems = append(p.problems, fmt.Sprintf("offset %d: ", at)+fmt.Sprintf(format, args...))
	}
}

// space skips whitespace, comments and, between top-level values, the
// wrappers pages put around JSON-LD (CDATA sections, HTML comments).
func (p *jparser) space(top bool) {
	for p.i < len(p.s) {
		rest := p.s[p.i:]
		c := rest[0]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			p.i++
		case strings.HasPrefix(rest, "\ufeff"), strings.HasPrefix(rest, "\u00a0"), strings.HasPrefix(rest, "\u2028"), strings.HasPrefix(rest, "\u2029"):
			_, n := utf8.DecodeRuneInString(rest)
			p.i += n
		case strings.HasPrefix(rest, "//"):
			if end := strings.IndexByte(rest, '\n'); end >= 0 {
				p.i += end + 1
			} else {
				p.i = len(p.s)
			}
		case strings.HasPrefix(rest, "/*"):
			if end := strings.Index(rest[2:], "*/"); end >= 0 {
				p.i += end + 4
			} else {
				p.i = len(p.s)
			}
		case top && strings.HasPrefix(rest, "<![CDATA["):
			p.i += len("<![CDATA[")
		case top && strings.HasPrefix(rest, "]]>"):
			p.i += len("]]>")
		case top && strings.HasPrefix(rest, "<!--"):
			p.i += len("<!--")
		case top && strings.HasPrefix(rest, "-->"):
			p.i += len("-->")
		default:
			return
		}
	}
}

// value reads one value. ok is false when nothing could be read at the
// current position; the caller then skips.
func (p *jparser) value() (any, bool) {
	p.space(false)
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(), true
	case c == '[':
		return p.array(), true
	case c == '"' || c == '\'':
		return p.str(c), true
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	case isIdentStart(c):
		start := p.i
		w := p.ident()
		switch w {
		case "true":
			return true, true
		case "false":
			return false, true
		case "null", "undefined", "NaN", "Infinity":
			return nil, true
		}
		p.problem(start, "unquoted value %q", w)
		return nil, false
	}
	p.problem(p.i, "unexpected %q", p.s[p.i])
	return nil, false
}

// enter counts one level of nesting; past the limit the value is skipped.
func (p *jparser) enter(close byte) bool {
	p.depth++
	if p.depth <= maxJSONDepth {
		return true
	}
	p.problem(p.i, "nesting deeper than %d", maxJSONDepth)
	p.i++
	p.skip(string(close))
	if p.i < len(p.s) {
		p.i++
	}
	p.depth--
	return false
}

func (p *jparser) object() any {
	if !p.enter('}') {
		return nil
	}
	defer func() { p.depth-- }()
	p.i++ // {
	o := &jobject{}
	for {
		p.space(false)
		if p.i >= len(p.s) {
			p.problem(p.i, "object not closed")
			return o
		}
		c := p.s[p.i]
		switch {
		case c == '}':
			p.i++
			return o
		case c == ']':
			// A stray closing bracket: the object was not closed.
			p.problem(p.i, "object not closed")
			return o
		case c == ',':
			p.i++
			continue
		}
		start := p.i
		var key string
		switch {
		case c == '"' || c == '\'':
			key = p.str(c)
		case isIdentStart(c):
			key = p.ident()
		default:
			p.problem(start, "expected a member name, found %q", c)
			p.skip(",}")
			continue
		}
		p.space(false)
		if p.i >= len(p.s) || (p.s[p.i] != ':' && p.s[p.i] != '=') {
			p.problem(p.i, "no ':' after %q", key)
			p.skip(",}")
			continue
		}
		p.i++
		v, ok := p.value()
		if !ok {
			p.skip(",}")
			continue
		}
		o.keys = append(o.keys, key)
		o.vals = append(o.vals, v)
	}
}

func (p *jparser) array() any {
	if !p.enter(']') {
		return nil
	}
	defer func() { p.depth-- }()
	p.i++ // [
	a := []any{}
	for {
		p.space(false)
		if p.i >= len(p.s) {
			p.problem(p.i, "array not closed")
			return a
		}
		switch p.s[p.i] {
		case ']':
			p.i++
			return a
		case ',':
			p.i++
			continue
		case '}':
			// A stray closing brace: the array was not closed.
			p.problem(p.i, "array not closed")
			return a
		}
		v, ok := p.value()
		if !ok {
			p.skip(",]")
			continue
		}
		a = append(a, v)
	}
}

// skip advances to the next byte of stops outside strings and nested
// values, or to a closing bracket that ends the enclosing value.
func (p *jparser) skip(stops string) {
	level := 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"' || c == '\'':
			p.str(c)
			continue
		case c == '{' || c == '[':
			level++
		case c == '}' || c == ']':
			if level == 0 {
				return
			}
			level--
		case level == 0 && strings.IndexByte(stops, c) >= 0:
			return
		}
		p.i++
	}
}

// str reads a string quoted with q. Raw control characters are kept,
// unknown escapes stand for the escaped character, and a quote that is
// followed by more text on the same line is taken as part of the text.
func (p *jparser) str(q byte) string {
	p.i++ // opening quote
	var b strings.Builder
	for {
		start := p.i
		for p.i < len(p.s) && p.s[p.i] != q && p.s[p.i] != '\\' {
			p.i++
		}
		b.WriteString(p.s[start:p.i])
		if p.i >= len(p.s) {
			p.problem(p.i, "string not closed")
			return b.String()
		}
		if p.s[p.i] == q {
			if p.closes(p.i + 1) {
				p.i++
				return b.String()
			}
			b.WriteByte(q)
			p.i++
			continue
		}
		// escape
		p.i++
		if p.i >= len(p.s) {
			return b.String()
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				b.WriteString(`\u`)
				continue
			}
			if utf16.IsSurrogate(r) {
				if strings.HasPrefix(p.s[p.i:], `\u`) {
					save := p.i
					p.i += 2
					if r2, ok := p.hex4(); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b.WriteRune(d)
							continue
						}
					}
					p.i = save
				}
				b.WriteRune(utf8.RuneError)
				continue
			}
			b.WriteRune(r)
		default:
			// \" \\ \/ and the invalid \' \x...: the character itself.
			b.WriteByte(e)
		}
	}
}

func (p *jparser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}

// closes reports whether a quote whose next byte is at i ends the string:
// it does when what follows (on the same line) is what may follow a
// string, or when a line break comes first.
func (p *jparser) closes(i int) bool {
	for ; i < len(p.s); i++ {
		switch c := p.s[i]; c {
		case ' ', '\t':
			continue
		case '\n', '\r', ',', ':', '}', ']', '/', '"', '\'':
			return true
		default:
			return false
		}
	}
	return true
}

func (p *jparser) number() (any, bool) {
	start := p.i
	if p.s[p.i] == '-' || p.s[p.i] == '+' {
		p.i++
	}
	digits := 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c != '.' && c != 'e' && c != 'E' && !((c == '-' || c == '+') && (p.s[p.i-1] == 'e' || p.s[p.i-1] == 'E')) {
			break
		}
		p.i++
	}
	if digits == 0 {
		// "-Infinity", a lone sign: skip the word.
		if p.i < len(p.s) && isIdentStart(p.s[p.i]) {
			p.ident()
			return nil, true
		}
		p.problem(start, "not a number")
		return nil, false
	}
	return jnumber(p.s[start:p.i]), true
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c == '@' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func (p *jparser) ident() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if !isIdentStart(c) && !(c >= '0' && c <= '9') && c != '-' {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}
