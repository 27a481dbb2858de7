package eval

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/vigie-dev/vigie/internal/enrich"
	"github.com/vigie-dev/vigie/internal/review"
)

// TweetReport is the result of a three-class sentiment evaluation.
type TweetReport struct {
	N        int     `json:"n"`
	Accuracy float64 `json:"accuracy"`
	// MacroF1 averages the F1 of negative, neutral and positive.
	MacroF1 float64 `json:"macro_f1"`
	// MacroF1PosNeg averages the F1 of positive and negative only, as
	// SemEval-2017 and SentiRuEval-2016 rank systems.
	MacroF1PosNeg float64 `json:"macro_f1_posneg"`

	// Confusion[gold][predicted] counts decisions (0 negative, 1 neutral,
	// 2 positive); not part of the JSON.
	Confusion [3][3]int `json:"-"`
	// Skipped counts items left out (SentiRuEval: no label, or entities
	// that disagree).
	Skipped int `json:"-"`
}

// Class numbers, as the UMSAB label files write them.
const (
	classNegative = 0
	classNeutral  = 1
	classPositive = 2
)

// Tweets scores e on texts with one text per line and labels with one
// label per line (0 negative, 1 neutral, 2 positive), in language lang.
// The two must have as many lines.
func Tweets(texts, labels io.Reader, lang string, e *enrich.Enricher) (TweetReport, error) {
	var rep TweetReport
	ts := bufio.NewScanner(texts)
	ts.Buffer(make([]byte, 64*1024), 4*1024*1024)
	ls := bufio.NewScanner(labels)
	line := 0
	for {
		moreT, moreL := ts.Scan(), ls.Scan()
		if !moreT && !moreL {
			break
		}
		line++
		if moreT != moreL {
			which := "labels"
			if !moreT {
				which = "texts"
			}
			return rep, fmt.Errorf("eval: tweets: %s end at line %d before the other file: %w", which, line, errData)
		}
		l := strings.TrimSpace(ls.Text())
		if len(l) != 1 || l[0] < '0' || l[0] > '2' {
			return rep, fmt.Errorf("eval: tweets: labels line %d: %q is not 0, 1 or 2: %w", line, l, errData)
		}
		rep.add(int(l[0]-'0'), predictClass(e, ts.Text(), lang))
	}
	if err := ts.Err(); err != nil {
		return rep, fmt.Errorf("eval: tweets: texts line %d: %w", line+1, err)
	}
	if err := ls.Err(); err != nil {
		return rep, fmt.Errorf("eval: tweets: labels line %d: %w", line+1, err)
	}
	rep.finish()
	return rep, nil
}

// predictClass enriches one text and names its label as a class; a mixed
// text goes to the side of its score.
func predictClass(e *enrich.Enricher, text, lang string) int {
	rv := review.Review{Text: text, Lang: lang}
	e.Enrich(&rv)
	if rv.Sentiment == nil {
		return classNeutral
	}
	switch rv.Sentiment.Label {
	case "positive":
		return classPositive
	case "negative":
		return classNegative
	case "mixed":
		switch {
		case rv.Sentiment.Score > 0:
			return classPositive
		case rv.Sentiment.Score < 0:
			return classNegative
		}
	}
	return classNeutral
}

func (r *TweetReport) add(gold, pred int) {
	r.Confusion[gold][pred]++
	r.N++
}

func (r *TweetReport) finish() {
	right := 0
	var f1 [3]float64
	for c := 0; c < 3; c++ {
		right += r.Confusion[c][c]
		tp, fp, fn := r.Confusion[c][c], 0, 0
		for o := 0; o < 3; o++ {
			if o != c {
				fp += r.Confusion[o][c]
				fn += r.Confusion[c][o]
			}
		}
		f1[c] = ratio(2*tp, 2*tp+fp+fn)
	}
	r.Accuracy = ratio(right, r.N)
	r.MacroF1 = (f1[0] + f1[1] + f1[2]) / 3
	r.MacroF1PosNeg = (f1[classNegative] + f1[classPositive]) / 2
}

// SentiRuEval scores e on a SentiRuEval-2016 gold file (phpMyAdmin XML
// export, banks or telecom): each <table> row holds a tweet's text and
// one column per company, 1, 0, -1 or NULL when the company is not
// mentioned. A tweet's label is the value its non-NULL columns share;
// tweets without one, or whose columns disagree, are skipped. Texts are
// Russian.
func SentiRuEval(r io.Reader, e *enrich.Enricher) (TweetReport, error) {
	return sentiRuEval(r, e, nil)
}

// sentiRuEval is SentiRuEval on the rows that keep accepts (all when
// keep is nil), given their label and text: tests split the file in two
// halves, one to look at and one to check on.
func sentiRuEval(r io.Reader, e *enrich.Enricher, keep func(row, gold int, text string) bool) (TweetReport, error) {
	var rep TweetReport
	dec := xml.NewDecoder(r)
	rows := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("eval: sentirueval: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "table" || se.Name.Space != "" {
			continue // pma:table holds the schema, not a row
		}
		line, _ := dec.InputPos()
		var row struct {
			Columns []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:",chardata"`
			} `xml:"column"`
		}
		if err := dec.DecodeElement(&row, &se); err != nil {
			return rep, fmt.Errorf("eval: sentirueval: row at line %d: %w", line, err)
		}
		rows++
		text, hasText := "", false
		label, agree, labelled := 0, true, false
		for _, c := range row.Columns {
			v := strings.TrimSpace(c.Value)
			switch c.Name {
			case "text":
				text, hasText = c.Value, true
				continue
			case "id", "twitid", "date":
				continue
			}
			if v == "NULL" || v == "" {
				continue
			}
			var cls int
			switch v {
			case "1":
				cls = classPositive
			case "0":
				cls = classNeutral
			case "-1":
				cls = classNegative
			default:
				return rep, fmt.Errorf("eval: sentirueval: row at line %d: column %q holds %q, want 1, 0, -1 or NULL: %w", line, c.Name, v, errData)
			}
			if labelled && cls != label {
				agree = false
			}
			label, labelled = cls, true
		}
		if !hasText {
			return rep, fmt.Errorf("eval: sentirueval: row at line %d has no text column: %w", line, errData)
		}
		if !labelled || !agree {
			rep.Skipped++
			continue
		}
		if keep != nil && !keep(rows, label, text) {
			continue
		}
		rep.add(label, predictClass(e, text, "ru"))
	}
	if rows == 0 {
		return rep, fmt.Errorf("eval: sentirueval: no <table> row: %w", errData)
	}
	rep.finish()
	return rep, nil
}
