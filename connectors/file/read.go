package file

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"

	"github.com/vigie-dev/vigie/connectors/fetch"
	"github.com/vigie-dev/vigie/connectors/internal/connutil"
	"github.com/vigie-dev/vigie/internal/dateparse"
	"github.com/vigie-dev/vigie/internal/review"
	"github.com/vigie-dev/vigie/internal/textnorm"
)

// label names an export in messages; name is "" for a document with no
// name (vigie extract on a local file).
func label(name string) string {
	if name == "" {
		return "the export"
	}
	return name
}

// at names a line of an export: "export.csv:17", or "line 17".
func at(name string, line int) string {
	if name == "" {
		return fmt.Sprintf("line %d", line)
	}
	return fmt.Sprintf("%s:%d", name, line)
}

// itemAt names an element of a JSON array export.
func itemAt(name string, i int) string {
	if name == "" {
		return fmt.Sprintf("item %d", i)
	}
	return fmt.Sprintf("%s: item %d", name, i)
}

// batch is one page of rows.
type batch struct {
	reviews  []review.Review
	warnings []string
}

// row is one record of an export: its values, and where it starts.
type row struct {
	line int
	// values by column index (CSV) or nil
	fields []string
	// the object (JSON)
	obj map[string]any
	// bad says why the row cannot be read, for its warning.
	bad string
}

// cols are the resolved column indexes of each field (-1: none); for
// JSON, keys holds the key paths.
type cols struct {
	id, author, date, rating, title, lang, location, url, reply int
	text                                                        int // first text column, -1 for none
	texts                                                       []int
	// JSON key paths, by field
	keys map[string][]string
	// ratingName is the rating column's name, to tell NPS from CSAT.
	ratingName string
	// width is the number of CSV columns.
	width int
}

// synonyms are the usual column names of each field, compared after
// normalisation (lower case, separators as "_").
var synonyms = map[string][]string{
	"id":     {"id", "#", "no", "number", "numéro", "numero", "n°", "№", "номер", "review_id", "reviewid", "response_id", "responseid", "respondent_id", "feedback_id", "comment_id", "answer_id", "uuid", "ticket_id", "external_id"},
	"author": {"author", "author_name", "name", "customer", "customer_name", "client", "client_name", "user", "username", "user_name", "reviewer", "respondent", "full_name", "nom", "auteur", "prenom", "prénom", "имя", "автор", "клиент", "фио"},
	"date": {"date", "created_at", "created", "submitted_at", "submitted", "submission_date", "timestamp", "time", "published_at", "published", "date_published", "review_date", "response_date", "completed_at", "end_date",
		"horodateur", "date_de_soumission", "дата", "время", "дата_отзыва"},
	"rating": {"rating", "score", "nps", "nps_score", "csat", "csat_score", "stars", "star_rating", "note", "grade", "rate", "overall", "overall_rating", "recommend", "likelihood_to_recommend", "оценка", "рейтинг", "балл"},
	"text": {"text", "comment", "comments", "feedback", "review", "review_text", "body", "message", "content", "verbatim", "answer", "response", "open_answer", "description",
		"commentaire", "commentaires", "avis", "texte", "remarque", "remarques", "отзыв", "комментарий", "текст", "сообщение"},
	"title":    {"title", "subject", "headline", "summary", "titre", "objet", "заголовок", "тема"},
	"lang":     {"lang", "language", "locale", "langue", "язык"},
	"url":      {"url", "link", "permalink", "review_url", "lien", "ссылка"},
	"reply":    {"reply", "owner_reply", "response_text", "business_response", "owner_response", "réponse", "reponse", "ответ"},
	"location": {},
}

// fuzzyWords are words that, inside a longer column name, tell its
// field; notWords rule a column out.
var (
	fuzzyWords = map[string][]string{
		"rating": {"nps", "csat", "recommend", "rating", "score", "stars", "satisf", "note", "оценк", "рейтинг", "recommand"},
		"text":   {"comment", "reason", "feedback", "why", "review", "tell_us", "suggest", "improve", "body", "message", "text", "pourquoi", "remarque", "avis", "précis", "почему", "комментар", "отзыв", "пожелан", "текст"},
		"date":   {"date", "time", "submitted", "received", "sent", "_at", "when", "horodat", "created", "дата"},
		"author": {"name", "nom", "имя", "фио"},
	}
	notWords = map[string][]string{
		"rating": {"reason", "why", "comment", "pourquoi", "почему", "комментар", "id"},
		"author": {"store", "shop", "location", "site", "branch", "product", "magasin", "company", "business", "file", "магазин", "филиал"},
		"text":   {"reply", "owner", "business_response", "_id", "date", "lang", "url", "ответ"},
		"date":   {"id"},
	}
)

// fuzzy reports whether a normalised column name, too long to be one of
// the usual names, tells the field.
func fuzzy(field, name string) bool {
	has := func(words []string) bool {
		for _, w := range words {
			if strings.Contains(name, w) {
				return true
			}
		}
		return false
	}
	if !has(fuzzyWords[field]) || has(notWords[field]) {
		return false
	}
	if field == "author" {
		return strings.Contains(name, "customer") || strings.Contains(name, "client") || strings.Contains(name, "respondent") ||
			strings.Contains(name, "full") || strings.Contains(name, "user") || strings.Contains(name, "клиент") || strings.Contains(name, "your")
	}
	return true
}

// normName reduces a column name for matching: lower case, trimmed, runs
// of spaces, dashes and dots as "_", a byte-order mark dropped.
func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '-' || r == '.' || r == '_' || r == '\t' || r == '/' || r == '(' || r == ')' || r == '?' || r == ':'
	}), "_")
}

// read decodes and parses one export, calling emit with pages of rows.
// A problem with the whole file (an unknown column in the mapping, an
// unreadable format) is returned; problems with single lines are
// warnings.
func read(name string, data []byte, contentType string, p *Params, emit func(batch) error) error {
	text, _, repaired, err := decode(data, p.Encoding, contentType)
	if err != nil {
		return fmt.Errorf("file: %s: %w", label(name), err)
	}
	var warnings []string
	for i, l := range repaired {
		if i == 20 {
			warnings = append(warnings, fmt.Sprintf("%s: invalid UTF-8 on %d more lines, repaired", label(name), len(repaired)-20))
			break
		}
		warnings = append(warnings, at(name, l)+": invalid UTF-8 repaired (U+FFFD)")
	}
	format, c, rows, rowWarnings, err := parseRows(name, text, p)
	if err != nil {
		return err
	}
	warnings = append(warnings, rowWarnings...)
	return convert(name, format, c, rows, p, warnings, emit)
}

// decode returns the export as UTF-8, the charset it was in, and the
// lines where invalid UTF-8 had to be repaired.
func decode(data []byte, encoding, contentType string) ([]byte, string, []int, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		encoding = "utf-8"
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, "", nil, fmt.Errorf("reading UTF-16: %w", err)
		}
		return out, "utf-16", nil, nil
	}
	enc := strings.ToLower(strings.TrimSpace(encoding))
	if enc == "auto" {
		enc = ""
	}
	if enc == "" {
		if _, params, ok := strings.Cut(contentType, "charset="); ok {
			// a server's declared charset, when it says one other than UTF-8
			if l := strings.ToLower(strings.Trim(strings.TrimSpace(params), `"'`)); l != "utf-8" && l != "utf8" {
				enc = l
			}
		}
	}
	if enc != "" && enc != "utf-8" && enc != "utf8" {
		e, name := charset.Lookup(enc)
		if e == nil {
			return nil, "", nil, fmt.Errorf("unknown charset %q", enc)
		}
		out, err := e.NewDecoder().Bytes(data)
		if err != nil {
			return nil, "", nil, fmt.Errorf("decoding %s: %w", name, err)
		}
		return out, name, nil, nil
	}
	if utf8.Valid(data) {
		return data, "utf-8", nil, nil
	}
	if enc == "" && !connutil.MostlyUTF8(data) {
		out, name := fetch.Decode(data, "text/plain")
		return out, name, nil, nil
	}
	// UTF-8 with damaged bytes: repair, and say where.
	var lines []int
	line := 1
	var out bytes.Buffer
	out.Grow(len(data))
	marked := false
	for b := data; len(b) > 0; {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			out.WriteString("\uFFFD")
			if !marked {
				lines = append(lines, line)
				marked = true
			}
		} else {
			out.Write(b[:size])
			if r == '\n' {
				line++
				marked = false
			}
		}
		b = b[size:]
	}
	return out.Bytes(), "utf-8", lines, nil
}

// sniff decides the format of an export and finds its columns, from its
// beginning; used by Detect.
func sniff(head []byte, p *Params) (string, cols, error) {
	text, _, _, err := decode(head, p.Encoding, "")
	if err != nil {
		return "", cols{}, err
	}
	// The sample may cut the last line: parse whole lines only.
	if i := bytes.LastIndexByte(text, '\n'); i > 0 && len(head) == 64<<10 {
		text = text[:i+1]
	}
	format, c, _, _, err := parseRows("sample", text, p)
	return format, c, err
}

// formatOf decides between CSV, JSON Lines and a JSON array.
func formatOf(text []byte, p *Params) string {
	switch f := strings.ToLower(p.Format); f {
	case "csv", "tsv":
		return "csv"
	case "jsonl", "ndjson":
		return "jsonl"
	case "json":
		t := bytes.TrimLeft(text, " \t\r\n")
		if len(t) > 0 && t[0] == '{' {
			return "jsonl" // one object per line, named .json
		}
		return "json"
	}
	t := bytes.TrimLeft(text, " \t\r\n")
	switch {
	case len(t) > 0 && t[0] == '[':
		return "json"
	case len(t) > 0 && t[0] == '{':
		return "jsonl"
	}
	return "csv"
}

// parseRows splits the export into rows and resolves the columns.
func parseRows(name string, text []byte, p *Params) (string, cols, []row, []string, error) {
	format := formatOf(text, p)
	switch format {
	case "jsonl", "json":
		rows, warnings, err := jsonRows(name, text, format)
		if err != nil {
			return format, cols{}, nil, nil, err
		}
		c, err := resolveKeys(name, rows, p)
		return format, c, rows, warnings, err
	}
	rows, header, warnings, err := csvRows(name, text, p)
	if err != nil {
		return format, cols{}, nil, nil, err
	}
	c, err := resolveColumns(name, header, p)
	if err != nil {
		return format, c, nil, nil, err
	}
	// Rows with more values than the header are shifted (an unquoted
	// delimiter in a text): reading them would put text in the rating.
	width := len(header)
	if width == 0 && len(rows) > 0 {
		width = len(rows[0].fields)
	}
	for i, r := range rows {
		if extra := trimEmptyTail(r.fields, width); len(extra) > width && width > 1 {
			rows[i].bad = fmt.Sprintf("%d values where the header has %d (a separator inside an unquoted value?): line left out", len(extra), width)
		}
	}
	return format, c, rows, warnings, nil
}

// trimEmptyTail drops empty values past the header's width (trailing
// delimiters).
func trimEmptyTail(f []string, width int) []string {
	for len(f) > width && strings.TrimSpace(f[len(f)-1]) == "" {
		f = f[:len(f)-1]
	}
	return f
}

// csvRows parses CSV text. A record whose quoting runs away (an
// unterminated quote swallowing the lines after it) is reported and
// parsing resumes on the next line.
func csvRows(name string, text []byte, p *Params) ([]row, []string, []string, error) {
	var warnings []string
	lineOffset := 0
	// Excel's "sep=;" first line names the delimiter.
	delim, _ := delimiter(p.Delimiter)
	if first, rest, ok := bytes.Cut(text, []byte("\n")); ok || len(first) > 0 {
		f := strings.TrimSpace(string(first))
		if strings.HasPrefix(strings.ToLower(f), "sep=") && len(f) == 5 {
			if delim == 0 {
				delim = rune(f[4])
			}
			text = rest
			lineOffset = 1
		}
	}
	if delim == 0 {
		delim = detectDelimiter(text)
	}
	header := p.Header == nil || *p.Header
	var names []string
	var rows []row
	start := 0 // byte offset of the part being parsed
	startLine := lineOffset
	for start < len(text) {
		r := csv.NewReader(bytes.NewReader(text[start:]))
		r.Comma = delim
		r.LazyQuotes = true
		r.FieldsPerRecord = -1
		restart := -1 // line (relative to this part) to resume after
		part := text[start:]
		for {
			before := r.InputOffset()
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				line := 1 + bytes.Count(part[:before], []byte("\n"))
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					line = pe.StartLine
				}
				warnings = append(warnings, fmt.Sprintf("%s: %v: line left out", at(name, startLine+line), unwrapCSV(err)))
				restart = line
				break
			}
			line, _ := r.FieldPos(0)
			spans := bytes.Count(bytes.TrimRight(part[before:r.InputOffset()], "\r\n"), []byte("\n")) + 1
			if header && names == nil {
				names = rec
				continue
			}
			if len(names) > 1 && spans > 1 && runaway(rec, len(names), delim, spans) {
				// A quoted value running over many lines and not ending
				// where the row should: an unterminated quote.
				warnings = append(warnings, at(name, startLine+line)+": unterminated quote: line left out")
				restart = line
				break
			}
			if blank(rec) {
				continue
			}
			rows = append(rows, row{line: startLine + line, fields: rec})
		}
		if restart < 0 {
			break
		}
		// Resume on the line after the one that went wrong.
		restart = max(restart, 1)
		off := lineStart(text[start:], restart+1)
		if off <= 0 {
			break
		}
		start += off
		startLine += restart
	}
	if header && names == nil {
		return nil, nil, warnings, errors.New("file: " + label(name) + ": empty: no header row")
	}
	return rows, names, warnings, nil
}

func unwrapCSV(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// runaway reports whether a record that spans several lines is an
// unterminated quote that swallowed the rows after it rather than a
// quoted value with line breaks: it lacks values, or a line inside a
// value looks like a row of its own.
func runaway(rec []string, width int, delim rune, spans int) bool {
	if len(rec) < width && spans > 2 {
		return true
	}
	if width < 3 {
		return false
	}
	for _, v := range rec {
		lines := strings.Split(v, "\n")
		for _, l := range lines[1:] {
			if strings.Count(l, string(delim)) >= width-1 {
				return true
			}
		}
	}
	return false
}

// lineStart returns the byte offset where line n (1-based) starts, or -1.
func lineStart(b []byte, n int) int {
	off := 0
	for l := 1; l < n; l++ {
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	if off >= len(b) {
		return -1
	}
	return off
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// detectDelimiter picks the separator that splits the first lines into
// the same number of values, the most values winning: comma, semicolon,
// tab or pipe.
func detectDelimiter(text []byte) rune {
	sample := text
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	best, bestScore := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		r := csv.NewReader(bytes.NewReader(sample))
		r.Comma = d
		r.LazyQuotes = true
		r.FieldsPerRecord = -1
		var counts []int
		for len(counts) < 20 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			counts = append(counts, len(rec))
		}
		if len(counts) == 0 || counts[0] < 2 {
			continue
		}
		same := 0
		for _, c := range counts {
			if c == counts[0] {
				same++
			}
		}
		score := same * 100 / len(counts) * counts[0]
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// resolveColumns finds each field's column in a CSV header (or takes the
// configured indexes).
func resolveColumns(name string, header []string, p *Params) (cols, error) {
	c := cols{id: -1, author: -1, date: -1, rating: -1, title: -1, lang: -1, location: -1, url: -1, reply: -1, text: -1, width: len(header)}
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normName(h)
	}
	var errs []error
	find := func(field string, spec Column) []int {
		if len(spec) > 0 {
			var out []int
			for _, s := range spec {
				idx := -1
				for i, h := range header {
					if strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) == s {
						idx = i
						break
					}
				}
				if idx < 0 {
					for i := range header {
						if norm[i] == normName(s) {
							idx = i
							break
						}
					}
				}
				if idx < 0 {
					if n, err := strconv.Atoi(s); err == nil && n >= 0 {
						idx = n
					}
				}
				if idx < 0 {
					errs = append(errs, fmt.Errorf("file: %s: columns.%s: no column %q (the header has: %s)", label(name), field, s, strings.Join(header, ", ")))
					continue
				}
				out = append(out, idx)
			}
			return out
		}
		for _, syn := range synonyms[field] {
			for i := range header {
				if norm[i] == syn {
					return []int{i}
				}
			}
		}
		// Survey tools name columns after their questions ("How likely
		// are you to recommend us? (NPS)"): look for telling words.
		for i := range header {
			if fuzzy(field, norm[i]) {
				return []int{i}
			}
		}
		return nil
	}
	one := func(dst *int, field string, spec Column) {
		if idx := find(field, spec); len(idx) > 0 {
			*dst = idx[0]
		}
	}
	m := p.Columns
	one(&c.id, "id", m.ID)
	one(&c.author, "author", m.Author)
	one(&c.date, "date", m.Date)
	one(&c.rating, "rating", m.Rating)
	one(&c.title, "title", m.Title)
	one(&c.lang, "lang", m.Lang)
	one(&c.location, "location", m.Location)
	one(&c.url, "url", m.URL)
	one(&c.reply, "reply", m.Reply)
	c.texts = find("text", m.Text)
	if len(c.texts) > 0 {
		c.text = c.texts[0]
	}
	if c.rating >= 0 && c.rating < len(header) {
		c.ratingName = normName(header[c.rating])
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	if c.text < 0 && c.rating < 0 {
		return c, fmt.Errorf("file: %s: no text or rating column found (the header has: %s); map them under columns", label(name), strings.Join(header, ", "))
	}
	return c, nil
}

// jsonRows parses JSON Lines (or a JSON array); a line that is not a JSON
// object is a warning.
func jsonRows(name string, text []byte, format string) ([]row, []string, error) {
	var rows []row
	var warnings []string
	if format == "json" {
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("file: %s: not JSON: %w", label(name), err)
		}
		list, ok := v.([]any)
		if obj, isObj := v.(map[string]any); isObj {
			for _, k := range []string{"items", "reviews", "data", "results", "responses", "records"} {
				if l, ok2 := obj[k].([]any); ok2 {
					list, ok = l, true
					break
				}
			}
		}
		if !ok {
			return nil, nil, fmt.Errorf("file: %s: expected a JSON array of objects", label(name))
		}
		for i, item := range list {
			obj, ok := item.(map[string]any)
			if !ok {
				warnings = append(warnings, fmt.Sprintf("%s: not a JSON object: left out", itemAt(name, i+1)))
				continue
			}
			rows = append(rows, row{line: i + 1, obj: obj})
		}
		return rows, warnings, nil
	}
	for i, l := range bytes.Split(text, []byte("\n")) {
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(l))
		dec.UseNumber()
		var obj map[string]any
		err := dec.Decode(&obj)
		if err == nil && dec.More() {
			err = errors.New("more than one value on the line")
		}
		if err != nil || obj == nil {
			if err == nil {
				err = errors.New("not a JSON object")
			}
			warnings = append(warnings, fmt.Sprintf("%s: not a JSON object (%v): line left out", at(name, i+1), shortJSONError(err)))
			continue
		}
		rows = append(rows, row{line: i + 1, obj: obj})
	}
	return rows, warnings, nil
}

func shortJSONError(err error) string {
	s := err.Error()
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

// resolveKeys finds each field's key in JSON rows: the configured key
// paths, else the usual names among the first rows' keys.
func resolveKeys(name string, rows []row, p *Params) (cols, error) {
	c := cols{id: -1, author: -1, date: -1, rating: -1, title: -1, lang: -1, location: -1, url: -1, reply: -1, text: -1, keys: map[string][]string{}}
	seen := map[string]string{} // normalised key -> key
	for i, r := range rows {
		if i == 50 {
			break
		}
		for k := range r.obj {
			if _, ok := seen[normName(k)]; !ok {
				seen[normName(k)] = k
			}
		}
	}
	m := p.Columns
	specs := map[string]Column{"id": m.ID, "author": m.Author, "date": m.Date, "rating": m.Rating, "text": m.Text, "title": m.Title,
		"lang": m.Lang, "location": m.Location, "url": m.URL, "reply": m.Reply}
	for field, spec := range specs {
		if len(spec) > 0 {
			c.keys[field] = spec
			continue
		}
		for _, syn := range synonyms[field] {
			if k, ok := seen[syn]; ok {
				c.keys[field] = []string{k}
				break
			}
		}
		if len(c.keys[field]) == 0 && field != "location" {
			for _, n := range sortedStrings(keysOf(seen)) {
				if fuzzy(field, n) {
					c.keys[field] = []string{seen[n]}
					break
				}
			}
		}
	}
	if k := c.keys["rating"]; len(k) > 0 {
		c.rating = 0
		c.ratingName = normName(k[0])
	}
	if len(c.keys["text"]) > 0 {
		c.text = 0
	}
	if c.text < 0 && c.rating < 0 {
		keys := make([]string, 0, len(seen))
		for _, k := range seen {
			keys = append(keys, k)
		}
		return c, fmt.Errorf("file: %s: no text or rating key found (keys: %s); map them under columns", label(name), strings.Join(sortedStrings(keys), ", "))
	}
	return c, nil
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sortedStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// lookup reads a key path ("customer.name") in a JSON object, keys
// compared exactly, then without case.
func lookup(obj map[string]any, path string) (any, bool) {
	if v, ok := obj[path]; ok {
		return v, true
	}
	cur := any(obj)
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok := m[part]
		if !ok {
			for k, vv := range m {
				if strings.EqualFold(k, part) || normName(k) == normName(part) {
					v, ok = vv, true
					break
				}
			}
		}
		if !ok {
			return nil, false
		}
		cur = v
	}
	return cur, true
}

// jsonString turns a JSON value into the text of a cell.
func jsonString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		var parts []string
		for _, e := range x {
			if s := jsonString(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "\n")
	case map[string]any:
		for _, k := range []string{"name", "text", "value", "label"} {
			if s, ok := x[k]; ok {
				return jsonString(s)
			}
		}
	}
	return ""
}

// convert turns rows into reviews and emits them in pages.
func convert(name, format string, c cols, rows []row, p *Params, warnings []string, emit func(batch) error) error {
	get := func(r row, field string, idx int) string {
		if r.obj != nil {
			var parts []string
			for _, k := range c.keys[field] {
				if v, ok := lookup(r.obj, k); ok {
					if s := strings.TrimSpace(jsonString(v)); s != "" {
						parts = append(parts, s)
					}
				}
			}
			return strings.Join(parts, "\n")
		}
		if idx < 0 || idx >= len(r.fields) {
			return ""
		}
		return strings.TrimSpace(r.fields[idx])
	}
	texts := func(r row) string {
		if r.obj != nil {
			return get(r, "text", 0)
		}
		var parts []string
		for _, i := range c.texts {
			if i < len(r.fields) {
				if s := strings.TrimSpace(r.fields[i]); s != "" {
					parts = append(parts, s)
				}
			}
		}
		return strings.Join(parts, "\n")
	}
	where := func(r row) string {
		if format == "json" {
			return itemAt(name, r.line)
		}
		return at(name, r.line)
	}

	// The scale: configured, named by the column, or guessed from the values.
	best, worst, known, _ := p.scale()
	if !known && c.rating >= 0 {
		switch n := c.ratingName; {
		case strings.Contains(n, "nps") || strings.Contains(n, "recommend"):
			best, worst, known = 10, 0, true
		case strings.Contains(n, "csat"):
			best, worst, known = 5, 1, true
		}
	}
	if !known && c.rating >= 0 {
		lo, hi, any := math.Inf(1), math.Inf(-1), false
		for _, r := range rows {
			if r.bad != "" {
				continue
			}
			if v, _, ok := parseScore(get(r, "rating", c.rating)); ok {
				lo, hi, any = min(lo, v), max(hi, v), true
			}
		}
		best, worst = 5, 1
		switch {
		case !any || (hi <= 5 && lo >= 1):
		case hi <= 5:
			worst = 0
		case hi <= 10:
			best, worst = 10, 0
			if lo >= 1 {
				worst = 1
			}
		case hi <= 100:
			best, worst = 100, 0
		default:
			best, worst = hi, 0
		}
		if best != 5 || worst != 1 {
			warnings = append(warnings, fmt.Sprintf("%s: no rating scale configured: read as %g to %g from the values (set scale, or best and worst)", label(name), worst, best))
		}
	}
	kind := review.KindReview
	if c.rating >= 0 {
		kind = review.KindSurvey
	}
	if p.ReviewKind != "" {
		kind = review.Kind(p.ReviewKind)
	}
	locs := map[string]bool{}
	for _, l := range p.Locations {
		locs[strings.ToLower(strings.TrimSpace(l))] = true
	}
	hasLoc := (c.location >= 0 || len(c.keys["location"]) > 0) && len(locs) > 0
	matched, other := 0, 0

	var out []review.Review
	flush := func(force bool) error {
		if len(out) == 0 && len(warnings) == 0 && !force {
			return nil
		}
		b := batch{reviews: out, warnings: warnings}
		out, warnings = nil, nil
		return emit(b)
	}
	for _, r := range rows {
		if r.bad != "" {
			warnings = append(warnings, fmt.Sprintf("%s: %s", where(r), r.bad))
			continue
		}
		if hasLoc {
			if !locs[strings.ToLower(get(r, "location", c.location))] {
				other++
				continue
			}
			matched++
		}
		rv := review.Review{Kind: kind, LangHint: primaryLang(p.Lang)}
		rv.ExternalID = textnorm.Line(get(r, "id", c.id))
		rv.Author = textnorm.Line(get(r, "author", c.author))
		rv.Title = textnorm.Line(get(r, "title", c.title))
		rv.Text = cellText(texts(r))
		rv.URL = strings.TrimSpace(get(r, "url", c.url))
		if l := primaryLang(get(r, "lang", c.lang)); l != "" {
			rv.LangHint = l
		}
		if s := cellText(get(r, "reply", c.reply)); s != "" {
			rv.Reply = &review.Reply{Text: s}
		}
		if raw := get(r, "rating", c.rating); raw != "" {
			v, stated, ok := parseScore(raw)
			if !ok {
				warnings = append(warnings, fmt.Sprintf("%s: rating %q is not a number", where(r), textnorm.Line(raw)))
				continue
			}
			b, w := best, worst
			if stated > 0 && stated != best {
				b = stated // "4/5" in a file of another scale
				if w > 1 {
					w = 1
				}
			}
			if v < w || v > b {
				warnings = append(warnings, fmt.Sprintf("%s: rating %g is outside the scale %g to %g", where(r), v, w, b))
				continue
			}
			rv.Rating, rv.BestRating = review.Float(v), review.Float(b)
			if w != 1 {
				rv.WorstRating = review.Float(w)
			}
		}
		if raw := get(r, "date", c.date); raw != "" {
			t, err := parseDate(raw, p.DateLayout)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("%s: date %q is not a date%s", where(r), textnorm.Line(raw), layoutHint(p)))
			} else {
				rv.PublishedAt = t
			}
		}
		if rv.Text == "" && rv.Title == "" && rv.Rating == nil {
			warnings = append(warnings, fmt.Sprintf("%s: no text and no rating: left out", where(r)))
			continue
		}
		out = append(out, rv)
		if len(out) >= pageSize {
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	if hasLoc && matched == 0 && other > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: no row is of this location (%s): %d rows of other locations skipped", label(name), strings.Join(p.Locations, ", "), other))
	}
	return flush(true)
}

func layoutHint(p *Params) string {
	if p.DateLayout == "" {
		return " (set date_layout)"
	}
	return fmt.Sprintf(" (layout %q)", p.DateLayout)
}

// cellText normalises a cell's text; HTML (e-mail bodies) is turned into
// text, anything else is kept as written.
func cellText(s string) string {
	if looksHTML.MatchString(s) {
		return textnorm.HTML(s)
	}
	return textnorm.Text(s)
}

var looksHTML = regexp.MustCompile(`(?i)</(p|div|span|b|i|a|li|td|font|strong|em)>|<br\s*/?>|<p[\s>]`)

var scoreRE = regexp.MustCompile(`^\s*([+-]?\d+(?:[.,]\d+)?)\s*(?:(?:/|out of|sur|из)\s*(\d+(?:[.,]\d+)?))?\s*(?:\*|★|stars?|étoiles?|звезд\S*|pts?|points?)?\s*$`)

// parseScore reads a score cell: "9", "4,5", "4.5", "4/5", "8 / 10",
// "5 stars". stated is the scale the cell gives, or 0.
func parseScore(s string) (v, stated float64, ok bool) {
	m := scoreRE.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return 0, 0, false
	}
	v, err := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, 0, false
	}
	if m[2] != "" {
		stated, _ = strconv.ParseFloat(strings.Replace(m[2], ",", ".", 1), 64)
	}
	return v, stated, true
}

// parseDate reads a date cell: with the layout when configured, else any
// form dateparse knows, else a spreadsheet serial day number.
func parseDate(s, layout string) (time.Time, error) {
	if layout != "" {
		return dateparse.ParseLayout(s, layout)
	}
	t, err := dateparse.Parse(s)
	if err == nil {
		return t, nil
	}
	if f, ferr := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64); ferr == nil && f > 20000 && f < 80000 {
		// Days since 1899-12-30, as spreadsheets store dates (20000 is
		// 1954, 80000 is 2119).
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
		days := math.Floor(f)
		secs := math.Round((f - days) * 86400)
		return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second), nil
	}
	return time.Time{}, err
}

// primaryLang returns the primary subtag of a language tag, lower case.
func primaryLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}
