package lang

import (
	"math"
	"strings"
	"sync"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name, text, hint, want string
	}{
		// English.
		{"en sentence", "The food was great and the staff were lovely.", "", English},
		{"en contraction", "I'd come back anytime!", "", English},
		{"en all caps", "THE WORST SERVICE I HAVE EVER HAD", "", English},
		{"en tweet", "@bob check https://x.co/abc it's awesome #foodie 😍", "", English},
		{"en numbers and emoji", "Waited 45 min for 2 burgers... never again!!! 😡😡", "", English},
		{"en short", "Thanks!", "", English},
		{"en html entity", "Fish &amp; chips were great, would recommend", "", English},
		{"en loanwords", "The crème brûlée at this café was the best dessert we had in Paris", "", English},

		// French.
		{"fr sentence", "Le personnel est très accueillant et les plats sont délicieux.", "", French},
		{"fr short", "Très bon accueil, je recommande !", "", French},
		{"fr all caps", "TRÈS DÉÇU, SERVICE NUL", "", French},
		{"fr emoji", "Franchement top, rien à redire 👍👍", "", French},
		{"fr no accents", "Tres bon resto, on reviendra", "", French},
		{"fr decomposed accents", "Tre\u0300s de\u0301c\u0327u, service lent", "", French},
		{"fr curly apostrophes", "J’ai adoré l’ambiance", "", French},
		{"fr mixed with english", "Great food! Merci beaucoup à toute l'équipe, on reviendra", "", French},
		{"fr word", "Merci !", "", French},

		// Russian.
		{"ru word", "Отлично", "", Russian},
		{"ru short", "Очень вкусно, спасибо!", "", Russian},
		{"ru all caps", "ВСЁ ПОНРАВИЛОСЬ", "", Russian},
		{"ru emoji", "Ужасное обслуживание, больше не придём 😡", "", Russian},
		{"ru with latin brands", "Заказывал iPhone через Apple Store, доставка быстрая", "", Russian},
		{"ru quoting ukrainian", "Были в Киеве, зашли в кафе «Смачно їсти», всё было очень вкусно", "", Russian},
		{"ru tweet", "RT @sber_help: Сбербанк опять не работает https://t.co/abc #банк", "", Russian},

		// Other Latin-script languages.
		{"de", "Das Essen war hervorragend und die Bedienung sehr freundlich.", "", Unknown},
		{"es", "La comida estaba buenísima y el camarero muy simpático.", "", Unknown},
		{"it", "Ottimo ristorante, personale gentile e prezzi onesti.", "", Unknown},
		{"pt", "Atendimento excelente, voltarei com certeza.", "", Unknown},
		{"nl", "Heerlijk gegeten, vriendelijke bediening.", "", Unknown},
		{"pl", "Bardzo smaczne jedzenie i miła obsługa.", "", Unknown},
		{"tr", "Çok güzel bir yer, herkese tavsiye ederim.", "", Unknown},
		{"cs", "Jídlo bylo výborné, ale obsluha byla pomalá.", "", Unknown},
		{"sv", "Mycket god mat och trevlig personal.", "", Unknown},
		{"ro", "Mâncarea a fost foarte bună, vom reveni.", "", Unknown},
		{"hu", "Nagyon finom volt az étel, köszönjük!", "", Unknown},
		{"de word", "Danke", "", Unknown},
		{"es word", "Gracias", "", Unknown},

		// Other Cyrillic-script languages.
		{"uk", "Дуже смачно і недорого", "", Unknown},
		{"uk without its letters", "Дякую", "", Unknown},
		{"bg", "Храната беше вкусна и обслужването е бързо.", "", Unknown},
		{"sr", "Одлична храна и љубазно особље.", "", Unknown},
		{"be", "Вельмі смачная ежа і ўтульная атмасфера.", "", Unknown},
		{"kk", "Қызмет көрсету өте жақсы, рахмет!", "", Unknown},

		// Other scripts.
		{"el", "Πολύ καλό φαγητό", "", Unknown},
		{"ja", "とても美味しかったです", "", Unknown},
		{"zh", "很好吃", "", Unknown},
		{"ar", "طعام رائع", "", Unknown},
		{"he", "אוכל מעולה", "", Unknown},
		{"ko", "맛있어요", "", Unknown},
		{"hi", "बहुत अच्छा खाना", "", Unknown},

		// Nothing to judge.
		{"empty", "", "", Unknown},
		{"spaces", "  \t\n ", "", Unknown},
		{"emoji only", "👍👍👍", "", Unknown},
		{"rating", "5/5", "", Unknown},
		{"number and punctuation", "10/10 !!!", "", Unknown},
		{"link only", "https://example.com/review?id=3", "", Unknown},
		{"mention only", "@user", "", Unknown},
		{"punctuation", "?!", "", Unknown},
		{"initial", "P.", "", Unknown},
		{"invalid utf8", "\xff\xfe\xfd", "", Unknown},

		// Hints settle close calls, never clear ones.
		{"hint fr settles", "Super", "fr-FR", French},
		{"hint en settles", "Super", "en", English},
		{"hint fr_CA settles", "Top !", "fr_CA", French},
		{"hint en cannot override french", "Le personnel est très accueillant et les plats sont délicieux.", "en-GB", French},
		{"hint fr cannot override english", "The food was great and the staff were lovely.", "fr", English},
		{"hint uk cannot override russian", "Очень вкусно, спасибо! Обязательно придём ещё.", "uk", Russian},
		{"hint de keeps german out", "Das Essen war hervorragend und die Bedienung sehr freundlich.", "de", Unknown},
		{"hint de cannot override english", "The food was great and the staff were lovely.", "de", English},
		{"hint ru on latin text is ignored", "The food was great and the staff were lovely.", "ru", English},
	}
	d := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Detect(tt.text, tt.hint)
			if got.Lang != tt.want {
				t.Errorf("Detect(%q, %q) = %+v, want %s", tt.text, tt.hint, got, tt.want)
			}
			checkConfidence(t, got, DefaultOptions().MinConfidence)
		})
	}
}

// checkConfidence checks Result's contract.
func checkConfidence(t *testing.T, r Result, floor float64) {
	t.Helper()
	switch r.Lang {
	case Unknown:
		if r.Confidence != 0 {
			t.Errorf("und with confidence %v, want 0", r.Confidence)
		}
	case English, French, Russian:
		if r.Confidence < floor || r.Confidence > 1 {
			t.Errorf("%s with confidence %v, want in [%v,1]", r.Lang, r.Confidence, floor)
		}
	default:
		t.Errorf("unexpected language %q", r.Lang)
	}
}

func TestParseHint(t *testing.T) {
	tests := []struct {
		name, hint string
		want       hintKind
	}{
		{"empty", "", hintNone},
		{"fr", "fr", hintFR},
		{"fr region", "fr-FR", hintFR},
		{"fr underscore", "fr_CA", hintFR},
		{"upper", "EN", hintEN},
		{"iso 639-3", "rus", hintRU},
		{"iso 639-2/B", "fre", hintFR},
		{"german", "de-AT", hintLatin},
		{"ukrainian", "uk", hintCyrillic},
		{"japanese says nothing about these scripts", "ja", hintNone},
		{"und", "und", hintNone},
		{"garbage", "f1", hintNone},
		{"too long", "french", hintNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseHint(tt.hint); got != tt.want {
				t.Errorf("parseHint(%q) = %d, want %d", tt.hint, got, tt.want)
			}
		})
	}
}

func TestStages(t *testing.T) {
	// The common case must not reach lingua: that is where the speed is.
	tests := []struct {
		name, text string
		want       stage
	}{
		{"en review", benchReviews[0], stageWords},
		{"fr review", benchReviews[1], stageWords},
		{"ru review", benchReviews[2], stageCyrWords},
		{"other script", "Πολύ καλό φαγητό", stageScript},
		{"short ambiguous", "Super", stageLingua},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := Default().detect(tt.text, ""); got != tt.want {
				t.Errorf("stage = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		text string
		want string
	}{
		{"no lingua: words decide", Options{NoLingua: true}, "Le personnel est très accueillant", French},
		{"no lingua: one word each way", Options{NoLingua: true}, "Merci", French},
		{"no lingua: nothing to go on", Options{NoLingua: true}, "Super", Unknown},
		{"high floor: close call is und", Options{MinConfidence: 0.99}, "Super", Unknown},
		{"high floor: clear text passes", Options{MinConfidence: 0.99}, benchReviews[0], English},
		{"prefix decides", Options{MaxLetters: 100},
			strings.Repeat("Le service était parfait et le repas délicieux. ", 4) +
				strings.Repeat("The food was great and the staff were lovely. ", 40), French},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := New(tt.opts).Detect(tt.text, "")
			if got.Lang != tt.want {
				t.Errorf("Detect(%.40q) = %+v, want %s", tt.text, got, tt.want)
			}
			checkConfidence(t, got, tt.opts.MinConfidence)
		})
	}
}

func TestLongText(t *testing.T) {
	// Only a prefix is read: a megabyte of emoji or of text costs no more
	// than a review.
	for _, s := range []string{strings.Repeat("😀", 1<<18), strings.Repeat("Très bien. ", 100000)} {
		var f features
		f.scan(s, defaultMaxLetters, 16*defaultMaxLetters)
		if f.end > 16*defaultMaxLetters {
			t.Errorf("scanned %d bytes of a %d-byte text", f.end, len(s))
		}
	}
	if got := Default().Detect(strings.Repeat("Très bien. ", 100000), ""); got.Lang != French {
		t.Errorf("long French text: %+v", got)
	}
}

func TestConcurrent(t *testing.T) {
	// Short texts reach lingua, long ones stop at the words: both at once.
	texts := append([]string{"Super", "Top !", "ok", "Vin correct", "Kawa dobra, ciasto suche.",
		"В ресторане спокойная атмосфера"}, benchReviews...)
	d := Default()
	want := make([]Result, len(texts))
	for i, s := range texts {
		want[i] = d.Detect(s, "")
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				k := (g + i) % len(texts)
				// lingua sums in goroutines: the last bits may differ.
				if got := d.Detect(texts[k], ""); got.Lang != want[k].Lang || math.Abs(got.Confidence-want[k].Confidence) > 1e-9 {
					t.Errorf("Detect(%q) = %+v concurrently, %+v alone", texts[k], got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}
