package learn

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The input formats ReadExamples knows.
const (
	FormatCSV         = "csv"         // header with text, lang, label and optional theme(s)
	FormatJSONL       = "jsonl"       // one {"text","lang","label","themes"} object a line
	FormatSemEval     = "semeval"     // SemEval-2016 Task 5 sentence-level XML
	FormatTweets      = "tweets"      // a texts file and a labels file (0/1/2), see ReadTweets
	FormatSentiRuEval = "sentirueval" // SentiRuEval-2016 banks/telecom XML
	FormatTSV         = "tsv"         // label <tab> text or text <tab> label; 1/0 = positive/negative
)

// FormatFromPath guesses the format of a file from its name: .csv, .jsonl
// (.ndjson, .json), .tsv, .xml (SemEval, or SentiRuEval when the name says
// bank, tkk or sentirueval) and .txt (a UMSAB tweets file named *_text.txt
// or *_labels.txt, otherwise TSV). It returns "" when it cannot tell.
func FormatFromPath(path string) string {
	base := strings.ToLower(filepath.Base(path))
	ext := filepath.Ext(base)
	if ext == ".gold" || ext == ".etalon" { // name.xml.gold
		ext = filepath.Ext(strings.TrimSuffix(base, ext))
	}
	switch ext {
	case ".csv":
		return FormatCSV
	case ".jsonl", ".ndjson", ".json":
		return FormatJSONL
	case ".tsv", ".tab":
		return FormatTSV
	case ".xml":
		for _, w := range []string{"sentirueval", "bank", "tkk", "ttk"} {
			if strings.Contains(base, w) {
				return FormatSentiRuEval
			}
		}
		return FormatSemEval
	case ".txt":
		if strings.HasSuffix(base, "_text.txt") || strings.HasSuffix(base, "_labels.txt") {
			return FormatTweets
		}
		return FormatTSV
	}
	return ""
}

// ReadFile reads the examples of a file whose format FormatFromPath
// recognises. For the tweets format, path names either file of the pair
// (train_text.txt or train_labels.txt) and the other is found beside it.
// Examples without a language get lang.
func ReadFile(path, lang string) ([]Example, error) {
	format := FormatFromPath(path)
	if format == "" {
		return nil, errorf("%s: unknown format (want .csv, .jsonl, .tsv, .xml or *_text.txt)", path)
	}
	var (
		ex  []Example
		err error
	)
	if format == FormatTweets {
		textPath, labelPath := path, path
		if strings.HasSuffix(path, "_labels.txt") {
			textPath = strings.TrimSuffix(path, "_labels.txt") + "_text.txt"
		} else {
			labelPath = strings.TrimSuffix(path, "_text.txt") + "_labels.txt"
		}
		tf, err := os.Open(textPath)
		if err != nil {
			return nil, err
		}
		defer tf.Close()
		lf, err := os.Open(labelPath)
		if err != nil {
			return nil, err
		}
		defer lf.Close()
		ex, err = ReadTweets(tf, lf, lang)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return ex, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, err = ReadExamples(f, format)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return WithLang(ex, lang), nil
}

// ReadExamples reads labelled examples in one of the formats csv, jsonl,
// semeval, sentirueval or tsv (tweets come in two files: see ReadTweets).
// Formats that do not carry the language leave Lang empty: see WithLang.
// Errors name the line (or the XML element and its line) at fault.
func ReadExamples(r io.Reader, format string) ([]Example, error) {
	switch strings.ToLower(format) {
	case FormatCSV:
		return readCSV(r)
	case FormatJSONL, "ndjson", "json":
		return readJSONL(r)
	case FormatSemEval:
		return readSemEval(r)
	case FormatSentiRuEval:
		return readSentiRuEval(r)
	case FormatTSV:
		return readTSV(r)
	case FormatTweets:
		return nil, errorf("the tweets format comes in two files: use ReadTweets")
	}
	return nil, errorf("unknown format %q (want csv, jsonl, semeval, tweets, sentirueval or tsv)", format)
}

// readCSV reads a CSV file with a header naming its columns: text (or
// review, content), lang (language), label (sentiment, polarity) and
// optionally theme (themes). A theme cell lists items "name" or
// "name:polarity" separated by ";", "|" or ",". When the file has a theme
// column every row is theme-annotated (an empty cell: no theme).
func readCSV(r io.Reader) ([]Example, error) {
	cr := csv.NewReader(bomSkipper(r))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, errorf("csv: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch name {
		case "review", "content", "body":
			name = "text"
		case "language":
			name = "lang"
		case "sentiment", "polarity":
			name = "label"
		case "themes":
			name = "theme"
		}
		if _, dup := col[name]; !dup {
			col[name] = i
		}
	}
	ti, ok := col["text"]
	if !ok {
		return nil, errorf("csv: line 1: header has no text column (got %q)", strings.Join(header, ","))
	}
	li, hasLabel := col["label"]
	thi, hasTheme := col["theme"]
	if !hasLabel && !hasTheme {
		return nil, errorf("csv: line 1: header has neither a label nor a theme column")
	}
	gi, hasLang := col["lang"]
	var out []Example
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errorf("csv: %w", err) // csv.ParseError names the line
		}
		line, _ := cr.FieldPos(0)
		field := func(i int) string {
			if i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if ti >= len(rec) {
			return nil, errorf("csv: line %d: %d fields, no text", line, len(rec))
		}
		e := Example{Text: field(ti)}
		if e.Text == "" {
			continue
		}
		if hasLang {
			e.Lang = strings.ToLower(field(gi))
		}
		if hasLabel && field(li) != "" {
			l, ok := normLabel(field(li))
			if !ok {
				return nil, errorf("csv: line %d: unknown label %q (want positive, neutral, negative)", line, field(li))
			}
			e.Label = l
		}
		if hasTheme {
			e.Themes, err = parseThemeCell(field(thi))
			if err != nil {
				return nil, errorf("csv: line %d: %v", line, err)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// parseThemeCell parses "food:positive; service" into theme labels; an
// empty cell gives an empty, non-nil slice.
func parseThemeCell(s string) ([]ThemeLabel, error) {
	out := []ThemeLabel{}
	for item := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ';' || r == '|' || r == ',' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, pol, _ := strings.Cut(item, ":")
		t := ThemeLabel{Name: strings.ToLower(strings.TrimSpace(name))}
		if t.Name == "" {
			return nil, fmt.Errorf("theme item %q has no name", item)
		}
		if pol = strings.TrimSpace(pol); pol != "" {
			p, ok := normLabel(pol)
			if !ok {
				return nil, fmt.Errorf("theme %q: unknown polarity %q", t.Name, pol)
			}
			t.Polarity = p
		}
		out = append(out, t)
	}
	return out, nil
}

// jsonExample is the JSON Lines form of an example.
type jsonExample struct {
	Text   string       `json:"text"`
	Lang   string       `json:"lang"`
	Label  string       `json:"label"`
	Themes *[]jsonTheme `json:"themes"`
}

type jsonTheme struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Polarity string   `json:"polarity"`
	Spans    [][2]int `json:"spans"`
}

// readJSONL reads one JSON object a line: {"text", "lang", "label",
// "themes": [{"name", "label", "spans": [[start, end]]}]}. A "themes" key,
// even empty, makes the example theme-annotated.
func readJSONL(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(bomSkipper(r))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var out []Example
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var je jsonExample
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&je); err != nil {
			return nil, errorf("jsonl: line %d: %v", line, err)
		}
		e := Example{Text: strings.TrimSpace(je.Text), Lang: strings.ToLower(strings.TrimSpace(je.Lang))}
		if e.Text == "" {
			return nil, errorf("jsonl: line %d: no text", line)
		}
		if je.Label != "" {
			l, ok := normLabel(je.Label)
			if !ok {
				return nil, errorf("jsonl: line %d: unknown label %q", line, je.Label)
			}
			e.Label = l
		}
		if je.Themes != nil {
			e.Themes = []ThemeLabel{}
			for _, jt := range *je.Themes {
				t := ThemeLabel{Name: strings.ToLower(strings.TrimSpace(jt.Name))}
				if t.Name == "" {
					return nil, errorf("jsonl: line %d: theme without a name", line)
				}
				pol := jt.Label
				if pol == "" {
					pol = jt.Polarity
				}
				if pol != "" {
					p, ok := normLabel(pol)
					if !ok {
						return nil, errorf("jsonl: line %d: theme %q: unknown polarity %q", line, t.Name, pol)
					}
					t.Polarity = p
				}
				for _, sp := range jt.Spans {
					if sp[0] < 0 || sp[1] < sp[0] || sp[1] > len(e.Text) {
						return nil, errorf("jsonl: line %d: theme %q: span %v outside the text", line, t.Name, sp)
					}
					t.Spans = append(t.Spans, Span{sp[0], sp[1]})
				}
				e.Themes = append(e.Themes, t)
			}
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, errorf("jsonl: %v", err)
	}
	return out, nil
}

// readTSV reads label<TAB>text or text<TAB>label lines. Labels are 1/0
// (positive/negative, the binary corpora's convention) or names.
func readTSV(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(bomSkipper(r))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var out []Example
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimRight(sc.Text(), "\r\n")
		if strings.TrimSpace(s) == "" {
			continue
		}
		first, rest, ok := strings.Cut(s, "\t")
		if !ok {
			return nil, errorf("tsv: line %d: no tab", line)
		}
		label, text := first, rest
		if _, ok := tsvLabel(first); !ok {
			i := strings.LastIndexByte(s, '\t')
			label, text = s[i+1:], s[:i]
		}
		l, ok := tsvLabel(label)
		if !ok {
			if line == 1 { // a header
				continue
			}
			return nil, errorf("tsv: line %d: no label (want 1/0 or positive/neutral/negative in the first or last column)", line)
		}
		if text = strings.TrimSpace(text); text != "" {
			out = append(out, Example{Text: text, Label: l})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, errorf("tsv: %v", err)
	}
	return out, nil
}

func tsvLabel(s string) (string, bool) {
	switch strings.TrimSpace(s) {
	case "1":
		return Positive, true
	case "0":
		return Negative, true
	}
	if t := strings.TrimSpace(s); len(t) > 3 || strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		return normLabel(t)
	}
	return "", false
}

// ReadTweets reads a tweets corpus in the UMSAB layout: one tweet a line in
// texts, and on the same line of labels 0, 1 or 2 (negative, neutral,
// positive).
func ReadTweets(texts, labels io.Reader, lang string) ([]Example, error) {
	ts := bufio.NewScanner(bomSkipper(texts))
	ts.Buffer(make([]byte, 0, 64<<10), 16<<20)
	ls := bufio.NewScanner(bomSkipper(labels))
	var out []Example
	line := 0
	for {
		line++
		tok, lok := ts.Scan(), ls.Scan()
		if !tok && !lok {
			break
		}
		if tok != lok {
			which := "labels"
			if !tok {
				which = "texts"
			}
			return nil, errorf("tweets: line %d: %s file ends first", line, which)
		}
		var label string
		switch strings.TrimSpace(ls.Text()) {
		case "0":
			label = Negative
		case "1":
			label = Neutral
		case "2":
			label = Positive
		default:
			return nil, errorf("tweets: labels line %d: %q is not 0, 1 or 2", line, ls.Text())
		}
		text := strings.TrimSpace(ts.Text())
		if text == "" {
			continue
		}
		out = append(out, Example{Text: text, Lang: lang, Label: label})
	}
	if err := errors.Join(ts.Err(), ls.Err()); err != nil {
		return nil, errorf("tweets: %v", err)
	}
	return out, nil
}

// semevalSentence is a <sentence> of SemEval-2016 Task 5.
type semevalSentence struct {
	ID         string `xml:"id,attr"`
	OutOfScope string `xml:"OutOfScope,attr"`
	Text       string `xml:"text"`
	Opinions   []struct {
		Target   string `xml:"target,attr"`
		Category string `xml:"category,attr"`
		Polarity string `xml:"polarity,attr"`
		From     string `xml:"from,attr"`
		To       string `xml:"to,attr"`
	} `xml:"Opinions>Opinion"`
}

// readSemEval reads SemEval-2016 Task 5 sentence-level XML (subtask 1): one
// example per in-scope sentence with text, themes from the opinions'
// categories (see semevalTheme) and the targets' byte spans. Sentences
// marked OutOfScope and empty ones are skipped.
func readSemEval(r io.Reader) ([]Example, error) {
	dec := xml.NewDecoder(r)
	var out []Example
	seen := false
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errorf("semeval: line %d: %v", line, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "sentence" {
			continue
		}
		seen = true
		line, _ = dec.InputPos()
		var s semevalSentence
		if err := dec.DecodeElement(&s, &se); err != nil {
			return nil, errorf("semeval: sentence at line %d: %v", line, err)
		}
		if strings.EqualFold(s.OutOfScope, "TRUE") {
			continue
		}
		e := Example{Text: s.Text, Themes: []ThemeLabel{}}
		if strings.TrimSpace(e.Text) == "" {
			continue
		}
		for _, o := range s.Opinions {
			if o.Category == "" {
				return nil, errorf("semeval: sentence %q (line %d): opinion without a category", s.ID, line)
			}
			t := ThemeLabel{Name: semevalTheme(o.Category)}
			if o.Polarity != "" {
				p, ok := normLabel(o.Polarity)
				if !ok {
					return nil, errorf("semeval: sentence %q (line %d): unknown polarity %q", s.ID, line, o.Polarity)
				}
				t.Polarity = p
			}
			if sp, ok := targetSpan(e.Text, o.Target, o.From, o.To); ok {
				t.Spans = []Span{sp}
			}
			e.Themes = append(e.Themes, t)
		}
		out = append(out, e)
	}
	if !seen {
		return nil, errorf("semeval: no <sentence> element")
	}
	return out, nil
}

// targetSpan turns SemEval's target offsets (counted in characters) into a
// byte span of text, checking that it holds the target; a NULL target has
// no span.
func targetSpan(text, target, from, to string) (Span, bool) {
	if target == "" || target == "NULL" {
		return Span{}, false
	}
	f, err1 := strconv.Atoi(from)
	t, err2 := strconv.Atoi(to)
	if err1 == nil && err2 == nil && f >= 0 && t > f {
		// character offsets to byte offsets
		bf, bt, n := -1, -1, 0
		for i := range text {
			if n == f {
				bf = i
			}
			if n == t {
				bt = i
				break
			}
			n++
		}
		if bt < 0 && n == t {
			bt = len(text)
		}
		if bf >= 0 && bt > bf && strings.EqualFold(text[bf:bt], target) {
			return Span{bf, bt}, true
		}
		if t <= len(text) && strings.EqualFold(text[f:t], target) && utf8.ValidString(text[f:t]) {
			return Span{f, t}, true
		}
	}
	if i := strings.Index(strings.ToLower(text), strings.ToLower(target)); i >= 0 && len(strings.ToLower(text)) == len(text) {
		return Span{i, i + len(target)}, true
	}
	return Span{}, false
}

// readSentiRuEval reads a SentiRuEval-2016 XML dump (banks or telecom): one
// <table> per tweet with <column name="text"> and one column per company
// holding 1, 0, -1 or NULL. The label is the value the non-NULL company
// columns share; tweets whose companies disagree, or that mention none, are
// skipped.
func readSentiRuEval(r io.Reader) ([]Example, error) {
	dec := xml.NewDecoder(r)
	var out []Example
	tables := 0
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errorf("sentirueval: line %d: %v", line, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "table" || se.Name.Space != "" {
			continue
		}
		line, _ = dec.InputPos()
		var t struct {
			Columns []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:",chardata"`
			} `xml:"column"`
		}
		if err := dec.DecodeElement(&t, &se); err != nil {
			return nil, errorf("sentirueval: <table> at line %d: %v", line, err)
		}
		tables++
		var text, id, label string
		hasText, agree := false, true
		for _, c := range t.Columns {
			v := strings.TrimSpace(c.Value)
			switch c.Name {
			case "text":
				text, hasText = v, true
			case "id":
				id = v
			case "twitid", "date":
			default:
				var l string
				switch v {
				case "NULL", "":
					continue
				case "1":
					l = Positive
				case "0":
					l = Neutral
				case "-1":
					l = Negative
				default:
					return nil, errorf("sentirueval: <table> at line %d (id %s): column %q holds %q, want 1, 0, -1 or NULL", line, id, c.Name, v)
				}
				if label != "" && label != l {
					agree = false
				}
				label = l
			}
		}
		if !hasText {
			return nil, errorf("sentirueval: <table> at line %d (id %s): no text column", line, id)
		}
		if !agree || label == "" || text == "" {
			continue
		}
		out = append(out, Example{Text: text, Lang: "ru", Label: label})
	}
	if tables == 0 {
		return nil, errorf("sentirueval: no <table> element")
	}
	return out, nil
}

// bomSkipper drops a leading UTF-8 byte order mark.
func bomSkipper(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	return br
}
