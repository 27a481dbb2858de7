package learn

import (
	"reflect"
	"strings"
	"testing"
)

func TestReadExamples(t *testing.T) {
	tests := []struct {
		name, format, in string
		want             []Example
		err              string // substring of the error, "" for none
	}{
		{
			name:   "csv",
			format: "csv",
			in:     "\ufefftext,lang,label\n\"Great, really great\",en,positive\nbof,FR,neg\n\"Он сказал \"\"нет\"\"\",ru,0\n",
			want: []Example{
				{Text: "Great, really great", Lang: "en", Label: Positive},
				{Text: "bof", Lang: "fr", Label: Negative},
				{Text: `Он сказал "нет"`, Lang: "ru", Label: Neutral},
			},
		},
		{
			name:   "csv with themes",
			format: "csv",
			in:     "Review,Language,Sentiment,Themes\nPizza ok but slow waiter,en,,food:positive; service:negative\nNice,en,positive,\n",
			want: []Example{
				{Text: "Pizza ok but slow waiter", Lang: "en", Themes: []ThemeLabel{{Name: "food", Polarity: Positive}, {Name: "service", Polarity: Negative}}},
				{Text: "Nice", Lang: "en", Label: Positive, Themes: []ThemeLabel{}},
			},
		},
		{name: "csv bad label", format: "csv", in: "text,lang,label\na,en,positive\nb,en,great\n", err: "line 3: unknown label"},
		{name: "csv no text column", format: "csv", in: "body2,lang,label\n", err: "line 1: header has no text column"},
		{name: "csv bad quote", format: "csv", in: "text,lang,label\n\"a,en,positive\nb\"x,en,negative\n", err: "line"},
		{name: "csv bad theme", format: "csv", in: "text,theme\na,food:superb\n", err: "line 2: theme \"food\": unknown polarity"},
		{
			name:   "jsonl",
			format: "jsonl",
			in:     "{\"text\":\"Le service était lent\",\"lang\":\"fr\",\"label\":\"negative\",\"themes\":[{\"name\":\"Service\",\"label\":\"negative\",\"spans\":[[3,10]]}]}\n\n{\"text\":\"ok\",\"lang\":\"en\",\"label\":\"neutral\"}\n",
			want: []Example{
				{Text: "Le service était lent", Lang: "fr", Label: Negative, Themes: []ThemeLabel{{Name: "service", Polarity: Negative, Spans: []Span{{3, 10}}}}},
				{Text: "ok", Lang: "en", Label: Neutral},
			},
		},
		{name: "jsonl broken", format: "jsonl", in: "{\"text\":\"a\",\"label\":\"positive\"}\n{\"text\": \n", err: "jsonl: line 2:"},
		{name: "jsonl unknown field", format: "jsonl", in: "{\"text\":\"a\",\"rating\":5}\n", err: "line 1: json: unknown field"},
		{name: "jsonl bad label", format: "jsonl", in: "{\"text\":\"a\"}\n{\"text\":\"a\",\"label\":\"great\"}\n", err: "line 2: unknown label"},
		{name: "jsonl span out of text", format: "jsonl", in: "{\"text\":\"abc\",\"themes\":[{\"name\":\"food\",\"spans\":[[1,9]]}]}\n", err: "line 1: theme \"food\": span"},
		{
			name:   "semeval",
			format: "semeval",
			in: `<?xml version="1.0" encoding="UTF-8"?>
<Reviews><Review rid="1"><sentences>
  <sentence id="1:0"><text>Le café était froid et cher.</text>
    <Opinions>
      <Opinion target="café" category="DRINKS#QUALITY" polarity="negative" from="3" to="7"/>
      <Opinion target="NULL" category="DRINKS#PRICES" polarity="negative" from="0" to="0"/>
      <Opinion target="NULL" category="RESTAURANT#MISCELLANEOUS" polarity="neutral" from="0" to="0"/>
    </Opinions>
  </sentence>
  <sentence id="1:1"><text>We went on a Tuesday.</text></sentence>
  <sentence id="1:2" OutOfScope="TRUE"><text>Another place.</text></sentence>
  <sentence id="1:3"><text>Персонал вежливый.</text><Opinions><Opinion target="Персонал" category="SERVICE#GENERAL" polarity="positive" from="0" to="8"/></Opinions></sentence>
</sentences></Review></Reviews>`,
			want: []Example{
				{Text: "Le café était froid et cher.", Themes: []ThemeLabel{
					{Name: "food", Polarity: Negative, Spans: []Span{{3, 8}}},
					{Name: "price", Polarity: Negative},
					{Name: "overall", Polarity: Neutral},
				}},
				{Text: "We went on a Tuesday.", Themes: []ThemeLabel{}},
				{Text: "Персонал вежливый.", Themes: []ThemeLabel{{Name: "service", Polarity: Positive, Spans: []Span{{0, 16}}}}},
			},
		},
		{name: "semeval broken xml", format: "semeval", in: "<Reviews>\n<sentence id=\"a\"><text>x</text>\n<Opinions><Opinion category=\"FOOD#QUALITY\" polarity=\"positive\"></Opinions>\n</sentence></Reviews>", err: "XML syntax error on line 3"},
		{name: "semeval no category", format: "semeval", in: "<Reviews>\n\n<sentence id=\"s7\"><text>x</text><Opinions><Opinion polarity=\"positive\"/></Opinions></sentence></Reviews>", err: `sentence "s7" (line 3): opinion without a category`},
		{name: "semeval bad polarity", format: "semeval", in: "<Reviews><sentence id=\"s1\"><text>x</text><Opinions><Opinion category=\"FOOD#QUALITY\" polarity=\"great\"/></Opinions></sentence></Reviews>", err: "unknown polarity"},
		{name: "semeval not semeval", format: "semeval", in: "<html><body/></html>", err: "no <sentence> element"},
		{
			name:   "sentirueval",
			format: "sentirueval",
			in: `<?xml version="1.0" encoding="utf-8"?>
<pma_xml_export version="1.0" xmlns:pma="http://www.phpmyadmin.net/some_doc_url/">
<pma:structure_schemas><pma:database name="S"><pma:table name="t">CREATE TABLE x</pma:table></pma:database></pma:structure_schemas>
<database name="SentiRuEval">
<table name="t"><column name="id">1</column><column name="text">Сбербанк опять завис</column><column name="sberbank">-1</column><column name="vtb">NULL</column></table>
<table name="t"><column name="id">2</column><column name="text">ВТБ и Сбер</column><column name="sberbank">1</column><column name="vtb">-1</column></table>
<table name="t"><column name="id">3</column><column name="text">Кредит в ВТБ</column><column name="sberbank">NULL</column><column name="vtb">0</column></table>
<table name="t"><column name="id">4</column><column name="text">ничего</column><column name="sberbank">NULL</column><column name="vtb">NULL</column></table>
<table name="t"><column name="id">5</column><column name="text">ВТБ и Сбер хорошие</column><column name="sberbank">1</column><column name="vtb">1</column></table>
</database></pma_xml_export>`,
			want: []Example{
				{Text: "Сбербанк опять завис", Lang: "ru", Label: Negative},
				{Text: "Кредит в ВТБ", Lang: "ru", Label: Neutral},
				{Text: "ВТБ и Сбер хорошие", Lang: "ru", Label: Positive},
			},
		},
		{name: "sentirueval bad value", format: "sentirueval", in: "<database>\n<table name=\"t\">\n<column name=\"id\">9</column><column name=\"text\">x</column><column name=\"vtb\">2</column></table></database>", err: `<table> at line 2 (id 9): column "vtb" holds "2"`},
		{
			name:   "tsv label first and last",
			format: "tsv",
			in:     "1\tune série géniale\n0\tennuyeuse\nWow... Loved this place.\t1\nnegative\tbad\n",
			want: []Example{
				{Text: "une série géniale", Label: Positive},
				{Text: "ennuyeuse", Label: Negative},
				{Text: "Wow... Loved this place.", Label: Positive},
				{Text: "bad", Label: Negative},
			},
		},
		{name: "tsv no label", format: "tsv", in: "1\tok\nfoo\tbar\n", err: "tsv: line 2: no label"},
		{name: "unknown format", format: "yaml", in: "", err: "unknown format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadExamples(strings.NewReader(tc.in), tc.format)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

func TestReadTweets(t *testing.T) {
	got, err := ReadTweets(strings.NewReader("bad day\nmeh\r\ngreat!\n"), strings.NewReader("0\n1\n2\n"), "en")
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{{Text: "bad day", Lang: "en", Label: Negative}, {Text: "meh", Lang: "en", Label: Neutral}, {Text: "great!", Lang: "en", Label: Positive}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
	for _, tc := range []struct{ texts, labels, err string }{
		{"a\nb\n", "0\n", "line 2: labels file ends first"},
		{"a\n", "0\n2\n", "line 2: texts file ends first"},
		{"a\nb\n", "0\n3\n", "labels line 2: \"3\" is not 0, 1 or 2"},
	} {
		_, err := ReadTweets(strings.NewReader(tc.texts), strings.NewReader(tc.labels), "fr")
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("error %v, want %q", err, tc.err)
		}
	}
}

func TestFormatFromPath(t *testing.T) {
	for path, want := range map[string]string{
		"reviews.csv":               FormatCSV,
		"/x/REVIEWS.CSV":            FormatCSV,
		"a.jsonl":                   FormatJSONL,
		"a.ndjson":                  FormatJSONL,
		"smid_resplit/fr/train.xml": FormatSemEval,
		"EN_REST_SB1_TEST.xml.gold": FormatSemEval,
		"banks_test_etalon.xml":     FormatSentiRuEval,
		"english/train_text.txt":    FormatTweets,
		"english/val_labels.txt":    FormatTweets,
		"fr/train.tsv":              FormatTSV,
		"yelp_labelled.txt":         FormatTSV,
		"model.bin":                 "",
		"noext":                     "",
	} {
		if got := FormatFromPath(path); got != want {
			t.Errorf("FormatFromPath(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	var ex []Example
	for i := range 100 {
		l := Positive
		if i%4 == 0 {
			l = Negative
		}
		ex = append(ex, Example{Text: strings.Repeat("x", i+1), Lang: "en", Label: l})
	}
	tr, dev := Split(ex, 0.2, 7)
	if len(tr) != 80 || len(dev) != 20 {
		t.Fatalf("split %d/%d, want 80/20", len(tr), len(dev))
	}
	neg := 0
	for _, e := range dev {
		if e.Label == Negative {
			neg++
		}
	}
	if neg != 5 {
		t.Errorf("dev has %d negatives, want 5 (stratified)", neg)
	}
	tr2, dev2 := Split(ex, 0.2, 7)
	if !reflect.DeepEqual(tr, tr2) || !reflect.DeepEqual(dev, dev2) {
		t.Error("Split is not deterministic")
	}
	_, dev3 := Split(ex, 0.2, 8)
	if reflect.DeepEqual(dev, dev3) {
		t.Error("the seed does not change the split")
	}
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct{ text, lang, want string }{
		{"The food wasn't good, but the staff was nice!", "en", "the food was not NEG_good but the staff was nice !"},
		{"L'accueil n'était pas chaleureux. Dommage", "fr", "le accueil ne NEG_était pas NEG_chaleur dommag"},
		{"Ещё не пробовал ёлку", "ru", "ещ не NEG_пробова NEG_елк"},
		{"Never again 😡", "en", "never NEG_again NEG_😡"},
		{"aujourd'hui qu'il", "fr", "aujourd'hui que il"},
	} {
		if got := strings.Join(tokens(tc.text, tc.lang), " "); got != tc.want {
			t.Errorf("tokens(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
