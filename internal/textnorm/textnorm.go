// Package textnorm cleans the text of reviews as sites publish it: markup
// and character references removed, Unicode in NFC, whitespace collapsed,
// invalid bytes replaced. Extractors and the pipeline share it so that the
// same review always reads the same.
package textnorm

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// Text normalises plain text that may hold character references: it keeps
// line breaks (one per paragraph) and collapses every other run of
// whitespace into one space.
func Text(s string) string {
	if strings.IndexByte(s, '&') >= 0 {
		s = unescape(s)
	}
	return collapse(s)
}

// collapse does Text's work on text whose references are decoded.
func collapse(s string) string {
	if s == "" {
		return ""
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space, newline := false, false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			newline = true
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			space = true
		case unicode.IsControl(r):
			space = true
		default:
			if b.Len() > 0 {
				if newline {
					b.WriteByte('\n')
				} else if space {
					b.WriteByte(' ')
				}
			}
			space, newline = false, false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Line is Text on one line: line breaks become spaces too. For authors,
// titles and other short fields.
func Line(s string) string {
	return strings.ReplaceAll(Text(s), "\n", " ")
}

// unescape decodes HTML character references, twice if the first pass
// reveals more: JSON-LD often carries "&amp;eacute;" from double escaping.
func unescape(s string) string {
	u := html.UnescapeString(s)
	if u != s && strings.Contains(u, "&") {
		if v := html.UnescapeString(u); v != u && !strings.Contains(u, "&amp;") {
			return v
		}
	}
	return u
}

// HTML turns an HTML fragment into normalised text: tags are removed,
// <br> and block elements become line breaks, scripts and styles vanish.
// Text without markup goes through Text unchanged.
func HTML(s string) string {
	if !strings.ContainsAny(s, "<") {
		return Text(s)
	}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return collapse(b.String())
		case xhtml.TextToken:
			if skip == 0 {
				// References are already decoded; line breaks in HTML
				// source are plain whitespace, only tags break lines.
				for _, c := range z.Text() {
					if c == '\n' || c == '\r' {
						c = ' '
					}
					b.WriteByte(c)
				}

			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "template", "noscript":
				if tt == xhtml.StartTagToken {
					skip++
				} else if tt == xhtml.EndTagToken && skip > 0 {
					skip--
				}
			case "br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "hr", "dd", "dt":
				b.WriteByte('\n')
			case "td", "th", "img":
				b.WriteByte(' ')
			}
		}
	}
}
