package textproc

import (
	"strings"
	"testing"
)

// tok describes a token in expectations: its text, normalised form and
// kind; flags are checked when set.
type tok struct {
	text, norm string
	kind       Kind
	flag       Flag
	n          uint16
}

func TestTokenize(t *testing.T) {
	for _, c := range []struct {
		name, text, lang string
		want             []tok
	}{
		{
			name: "french elisions are spelled out",
			text: "L'accueil n'était pas top, qu'il dise",
			lang: "fr",
			want: []tok{
				{text: "L'", norm: "le", flag: Elision | Capitalized}, {text: "accueil", norm: "accueil"},
				{text: "n'", norm: "ne", flag: Elision}, {text: "était", norm: "était"}, {text: "pas", norm: "pas"},
				{text: "top", norm: "top"}, {text: ",", norm: ",", kind: Punct}, {text: "qu'", norm: "que", flag: Elision},
				{text: "il", norm: "il"}, {text: "dise", norm: "dise"},
			},
		},
		{
			name: "aujourd'hui stays one word",
			text: "aujourd’hui",
			lang: "fr",
			want: []tok{{text: "aujourd’hui", norm: "aujourd'hui"}},
		},
		{
			name: "english contractions stay whole with a straight apostrophe",
			text: "I don’t like it",
			lang: "en",
			want: []tok{{text: "I", norm: "i"}, {text: "don’t", norm: "don't"}, {text: "like", norm: "like"}, {text: "it", norm: "it"}},
		},
		{
			name: "repeated letters are squeezed and marks kept as emphasis",
			text: "soooo GOOD!!!",
			lang: "en",
			want: []tok{{text: "soooo", norm: "so", flag: Elongated}, {text: "GOOD", norm: "good", flag: AllCaps},
				{text: "!!!", norm: "!", kind: Punct, n: 3}},
		},
		{
			name: "russian yo is e and smiles are emoticons",
			text: "Всё ужжжасно(((",
			lang: "ru",
			want: []tok{{text: "Всё", norm: "все", flag: Capitalized}, {text: "ужжжасно", norm: "ужасно", flag: Elongated},
				{text: "(((", norm: ":(", kind: Emoticon, n: 3}},
		},
		{
			name: "a closing bracket after a word smiles when nothing is open",
			text: "спасибо) (и вам)",
			lang: "ru",
			want: []tok{{text: "спасибо", norm: "спасибо"}, {text: ")", norm: ":)", kind: Emoticon, n: 1},
				{text: "(", norm: "(", kind: Punct}, {text: "и", norm: "и"}, {text: "вам", norm: "вам"}, {text: ")", norm: ")", kind: Punct}},
		},
		{
			name: "hyphenated words split without a mark",
			text: "qualité-prix",
			lang: "fr",
			want: []tok{{text: "qualité", norm: "qualité"}, {text: "prix", norm: "prix", flag: Joined}},
		},
		{
			name: "emoji with modifiers and repetitions",
			text: "👍🏻 😍😍❤️",
			lang: "en",
			want: []tok{{text: "👍🏻", norm: "👍", kind: Emoji, n: 1}, {text: "😍😍", norm: "😍", kind: Emoji, n: 2},
				{text: "❤️", norm: "❤", kind: Emoji, n: 1}},
		},
		{
			name: "emoticons, times and urls",
			text: "ok :-) at 12:30 see https://x.fr/a. <3",
			lang: "en",
			want: []tok{{text: "ok", norm: "ok"}, {text: ":-)", norm: ":)", kind: Emoticon, n: 1}, {text: "at", norm: "at"},
				{text: "12", norm: "12", kind: Number}, {text: ":", norm: ":", kind: Punct}, {text: "30", norm: "30", kind: Number},
				{text: "see", norm: "see"}, {text: "https://x.fr/a", norm: "https://x.fr/a", kind: URL},
				{text: ".", norm: ".", kind: Punct}, {text: "<3", norm: "<3", kind: Emoticon, n: 1}},
		},
		{
			name: "mentions and hashtags",
			text: "@bob #fail 4,5",
			lang: "en",
			want: []tok{{text: "@bob", norm: "@bob", kind: Mention}, {text: "fail", norm: "fail", flag: Hashtag},
				{text: "4,5", norm: "4,5", kind: Number}},
		},
		{
			name: "colon before a word is no emoticon",
			text: "Menu:Pizza",
			lang: "en",
			want: []tok{{text: "Menu", norm: "menu"}, {text: ":", norm: ":", kind: Punct}, {text: "Pizza", norm: "pizza"}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := Tokenize(c.text, c.lang)
			if len(d.Tokens) != len(c.want) {
				t.Fatalf("got %d tokens %v, want %d", len(d.Tokens), dump(d), len(c.want))
			}
			for i, w := range c.want {
				g := d.Tokens[i]
				if got := c.text[g.Start:g.End]; got != w.text || g.Norm != w.norm || g.Kind != w.kind {
					t.Errorf("token %d: %q norm %q kind %d, want %q norm %q kind %d", i, got, g.Norm, g.Kind, w.text, w.norm, w.kind)
				}
				if w.flag != 0 && g.Flag&w.flag != w.flag {
					t.Errorf("token %d %q: flags %b, want %b", i, w.text, g.Flag, w.flag)
				}
				if w.n != 0 && g.N != w.n {
					t.Errorf("token %d %q: N %d, want %d", i, w.text, g.N, w.n)
				}
			}
		})
	}
}

func dump(d *Doc) []string {
	var s []string
	for _, t := range d.Tokens {
		s = append(s, d.Text[t.Start:t.End]+"="+t.Norm)
	}
	return s
}

func TestStems(t *testing.T) {
	for _, c := range []struct {
		name, text, lang string
		want             []string
	}{
		{"french inflections meet", "délicieuse délicieux", "fr", []string{"délici", "délici"}},
		{"russian inflections meet", "вкусного вкусный очереди очередь", "ru", []string{"вкусн", "вкусн", "очеред", "очеред"}},
		{"english plural", "waiters waiter", "en", []string{"waiter", "waiter"}},
		{"no stemmer for unknown languages", "waiters", "und", []string{"waiters"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := Tokenize(c.text, c.lang)
			var got []string
			for _, tk := range d.Tokens {
				got = append(got, tk.Stem)
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("stems %v, want %v", got, c.want)
			}
		})
	}
}

func TestVerbStem(t *testing.T) {
	for _, c := range []struct{ name, word, lang, want string }{
		{"-овать", "рекомендовать", "ru", "рекоменд"},
		{"conjugated form agrees", "рекомендую", "ru", ""},
		{"too short", "ковать", "ru", ""},
		{"french", "recommander", "fr", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := VerbStem(Stem(c.word, c.lang), c.lang); got != c.want {
				t.Errorf("VerbStem(%q) = %q, want %q", c.word, got, c.want)
			}
			if c.want != "" && Stem("рекомендую", "ru") != c.want {
				t.Errorf("the conjugated form's stem is %q", Stem("рекомендую", "ru"))
			}
		})
	}
}

func TestSentences(t *testing.T) {
	for _, c := range []struct {
		name, text, lang string
		want             []string
	}{
		{"periods and marks", "Great food. Slow service!!! Will return?", "en",
			[]string{"Great food.", "Slow service!!!", "Will return?"}},
		{"abbreviations and numbers", "Mr. Smith paid 3.5 euros. Ok.", "en", []string{"Mr. Smith paid 3.5 euros.", "Ok."}},
		{"an ellipsis before lower case goes on", "c'était bon... mais cher. Bref", "fr", []string{"c'était bon... mais cher.", "Bref"}},
		{"line breaks end sentences", "Super\nÀ refaire", "fr", []string{"Super", "À refaire"}},
		{"emoticons stay with their sentence", "Merci ! :) Top", "fr", []string{"Merci ! :)", "Top"}},
		{"lower case after a period starts a sentence", "good food. bad service", "en", []string{"good food.", "bad service"}},
		{"no text", "  ", "en", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := Tokenize(c.text, c.lang)
			var got []string
			for _, s := range d.Sentences {
				got = append(got, c.text[s.Start:s.End])
				if s.First >= s.Last || d.Tokens[s.First].Start != s.Start || d.Tokens[s.Last-1].End != s.End {
					t.Errorf("sentence %q: tokens %d..%d do not match its span", c.text[s.Start:s.End], s.First, s.Last)
				}
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("sentences %q, want %q", got, c.want)
			}
		})
	}
}

func TestShoutingAndTwice(t *testing.T) {
	d := Tokenize("THIS IS AWFUL", "en")
	if !d.Shouting {
		t.Error("a text in capitals is shouting")
	}
	d = Tokenize("This is AWFUL", "en")
	if d.Shouting {
		t.Error("one word in capitals is emphasis, not shouting")
	}
	d = Tokenize("goooood", "en")
	if got := d.Tokens[0].Twice(d.Text); got != "good" {
		t.Errorf("Twice = %q, want good", got)
	}
}

func TestFold(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"accents", "été déçu", "ete decu"},
		{"ligature", "œuf", "oeuf"},
		{"ascii is returned as is", "abc", "abc"},
		{"cyrillic untouched", "ёж", "ёж"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Fold(c.in); got != c.want {
				t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestReuse(t *testing.T) {
	var d Doc
	d.Parse("Très BON", "fr")
	first := d.Tokens[1].Norm
	d.Parse("autre texte", "fr")
	if first != "bon" {
		t.Errorf("norm %q, want bon: a reused doc must not change strings it gave out", first)
	}
	if len(d.Tokens) != 2 || d.Tokens[0].Norm != "autre" {
		t.Errorf("reused doc: %v", dump(&d))
	}
}

func BenchmarkTokenize(b *testing.B) {
	text := "Très bon accueil, le personnel est souriant et efficace. Par contre l'attente était vraiment trop longue, presque 40 minutes pour un plat tiède. Le rapport qualité-prix reste correct mais je ne suis pas sûr de revenir. Dommage, le cadre est sympa !"
	var d Doc
	b.ReportAllocs()
	for b.Loop() {
		d.Parse(text, "fr")
	}
}
