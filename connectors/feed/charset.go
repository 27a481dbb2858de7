package feed

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"

	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
)

// xmlDecl matches the XML declaration and its encoding pseudo-attribute.
var xmlDecl = regexp.MustCompile(`^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// encAttr matches the encoding pseudo-attribute in a declaration.
var encAttr = regexp.MustCompile(`\bencoding\s*=\s*["'][^"']*["']`)

// toUTF8 returns the feed as UTF-8, whatever its charset, with its XML
// declaration saying so, and the charset it was read from. The charset
// comes from a byte-order mark, else the XML declaration (or, for JSON
// and declarations without one, the Content-Type header), else UTF-8 when
// the bytes are valid UTF-8, else detection (which tells windows-1251 from
// KOI8-R from windows-1252). Two common mistakes are forgiven: a feed
// declared windows-1251 (or any single-byte charset) whose bytes are valid
// UTF-8 is read as UTF-8, and a feed declared UTF-8 whose bytes are mostly
// not is decoded as detected; a few stray bytes in a UTF-8 feed become
// U+FFFD.
func toUTF8(body []byte, contentType string) ([]byte, string) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		body = body[3:]
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		out, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(body)
		if err == nil {
			return declareUTF8(cleanXML(out)), "utf-16"
		}
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	header := ""
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		header = strings.ToLower(strings.TrimSpace(params["charset"]))
	}
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		if utf8.Valid(body) {
			return body, "utf-8"
		}
		out, name := fetch.Decode(body, contentType)
		return out, name
	}
	label := ""
	if m := xmlDecl.FindSubmatch(trimmed); m != nil {
		label = strings.ToLower(string(m[1]))
	}
	declared := label
	if declared == "" {
		declared = header
	}
	name := "utf-8"
	switch {
	case utf8.Valid(body):
		// Valid UTF-8 with non-ASCII bytes is never real windows-1251 or
		// Latin-1 text: a wrong declaration, or a body decoded upstream.
	case declared != "" && !isUTF8Label(declared):
		if enc, n := charset.Lookup(declared); enc != nil {
			if out, err := enc.NewDecoder().Bytes(body); err == nil {
				body, name = out, n
				break
			}
		}
		body, name = detect(body)
	case connutil.MostlyUTF8(body):
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	default:
		body, name = detect(body)
	}
	return declareUTF8(cleanXML(body)), name
}

func isUTF8Label(l string) bool {
	l = strings.ToLower(strings.ReplaceAll(l, "_", "-"))
	return l == "utf-8" || l == "utf8" || l == "unicode-1-1-utf-8" || l == "us-ascii" || l == "ascii"
}

// detect decodes a body whose charset is unknown (or wrong) from its
// bytes.
func detect(body []byte) ([]byte, string) {
	out, name := fetch.Decode(body, "text/plain")
	return out, name
}

// declareUTF8 makes the XML declaration, if any, name UTF-8, so that the
// parser does not decode the converted bytes a second time.
func declareUTF8(b []byte) []byte {
	i := bytes.Index(b, []byte("<?xml"))
	if i < 0 || len(bytes.TrimSpace(b[:i])) > 0 {
		return b
	}
	end := bytes.Index(b[i:], []byte("?>"))
	if end < 0 {
		return b
	}
	decl := b[i : i+end]
	m := encAttr.FindIndex(decl)
	if m == nil {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:i+m[0]]...)
	out = append(out, `encoding="utf-8"`...)
	out = append(out, b[i+m[1]:]...)
	return out
}

// cleanXML drops the characters XML 1.0 forbids (C0 controls other than
// tab and line breaks, U+FFFE, U+FFFF), which real feeds carry and which
// make the XML parser give up on the whole feed.
func cleanXML(b []byte) []byte {
	bad := func(r rune) bool {
		return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF
	}
	if bytes.IndexFunc(b, bad) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if !bad(r) {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}
