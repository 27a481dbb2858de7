package textproc

import (
	"testing"
	"unicode/utf8"
)

// FuzzTokenize checks the tokenizer's contracts on any input: tokens in
// order inside the text, on rune boundaries, sentences made of whole
// tokens.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		"", "a", "L'été n'est pas", "soooo GOOD!!! :-) <3 )))", "Всё ужжжасно(((", "12:30 3.5/5 02/10",
		"http://x.fr @bob #tag", "😍😍👍🏻❤️‍🔥", "qu'", "l'", "(((a", "... ... !!!", "\n\n", "a-b-", "'quoted'",
		"\xff\xfe broken", "x:Dy", "Ё", "ÉCOLE", "aaa-bbb", "don't'",
	} {
		f.Add(s, "fr")
		f.Add(s, "en")
		f.Add(s, "ru")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		d := Tokenize(text, lang)
		prev := 0
		for i, tk := range d.Tokens {
			if tk.Start < prev || tk.End <= tk.Start || tk.End > len(text) {
				t.Fatalf("token %d at %d..%d after %d in %q", i, tk.Start, tk.End, prev, text)
			}
			if utf8.ValidString(text) && (!utf8.RuneStart(text[tk.Start]) || tk.End < len(text) && !utf8.RuneStart(text[tk.End])) {
				t.Fatalf("token %d %d..%d cuts a rune in %q", i, tk.Start, tk.End, text)
			}
			if tk.Norm == "" {
				t.Fatalf("token %d has no form in %q", i, text)
			}
			prev = tk.End
		}
		last := 0
		for _, s := range d.Sentences {
			if s.First < last || s.Last <= s.First || s.Last > len(d.Tokens) {
				t.Fatalf("sentence tokens %d..%d after %d", s.First, s.Last, last)
			}
			if s.Start != d.Tokens[s.First].Start || s.End != d.Tokens[s.Last-1].End {
				t.Fatalf("sentence span %d..%d does not match its tokens", s.Start, s.End)
			}
			last = s.Last
		}
	})
}
