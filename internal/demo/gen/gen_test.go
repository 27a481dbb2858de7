package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/internal/demo/brand"
)

// The committed data must be what the generator writes: edit the banks or
// the generator, then run go generate ./internal/demo.
func TestDataUpToDate(t *testing.T) {
	want := generate()
	got, err := os.ReadFile("../data/reviews.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range min(len(gl), len(wl)) {
		if !bytes.Equal(gl[i], wl[i]) {
			t.Fatalf("internal/demo/data/reviews.jsonl is out of date (run go generate ./internal/demo); line %d is\n%s\nbut the generator writes\n%s", i+1, gl[i], wl[i])
		}
	}
	t.Fatalf("internal/demo/data/reviews.jsonl is out of date (run go generate ./internal/demo): %d lines, the generator writes %d", len(gl), len(wl))
}

// templates lists every template of a bank with where it comes from.
func (b *bank) templates() map[string][]string {
	out := map[string][]string{}
	add := func(where string, ts ...string) { out[where] = append(out[where], ts...) }
	pols := []string{"pos", "neg", "neu"}
	for th, ps := range b.sent {
		for p, ts := range ps {
			add("sent "+th+":"+pols[p], ts...)
		}
	}
	for th, ps := range b.clause {
		for p, ts := range ps {
			add("clause "+th+":"+pols[p], ts...)
		}
	}
	for id, ex := range b.locExtras {
		for th, ps := range ex {
			for p, ts := range ps {
				add("extra "+id+" "+th+":"+pols[p], ts...)
			}
		}
	}
	for p := range 3 {
		add("opener "+pols[p], b.openers[p]...)
		add("closer "+pols[p], b.closers[p]...)
		add("title "+pols[p], b.titles[p]...)
		add("reply body", b.reply.body[p]...)
		add("reply closing", b.reply.closing[p]...)
	}
	for r, ts := range b.oneLiners {
		add(fmt.Sprint("one-liner ", r), ts...)
	}
	for th, ps := range b.themeTitles {
		add("title "+th, ps[0]...)
		add("title "+th, ps[1]...)
	}
	for _, m := range []map[string][]string{b.reply.themePos, b.reply.themeNeg, b.locContexts} {
		for k, ts := range m {
			add("map "+k, ts...)
		}
	}
	add("perfect", b.perfect...)
	add("contexts", b.contexts...)
	add("tourist", b.tourist...)
	add("burst", b.burst...)
	add("burst short", b.burstShort...)
	add("reply greet", b.reply.greet...)
	add("reply burst", b.reply.burst...)
	return out
}

var waitWords = map[string]*regexp.Regexp{
	"fr": regexp.MustCompile(`(?i)attente|attend|queue|file|patient|poireaut`),
	"en": regexp.MustCompile(`(?i)wait|queue`),
	"ru": regexp.MustCompile(`(?i)очеред|ждать|ждал|жду|ждём|ждем|ждёшь|ожидан|подожд|прожд`),
}

func TestBanks(t *testing.T) {
	g := newGenerator()
	ids := map[string]bool{}
	for _, l := range brand.Locations() {
		ids[l.ID] = true
	}
	for lang, b := range g.banks {
		lists := map[string][]string{"near": {"NEAR"}, "city": {"CITY"}, "name": {"NAME"}}
		for k, v := range b.lists {
			lists[k] = v
		}
		for _, byCountry := range prices[lang] {
			for k, v := range byCountry {
				lists[k] = v
			}
		}
		for _, th := range themes {
			if len(b.sent[th][pos]) == 0 || len(b.sent[th][neg]) == 0 || len(b.sent[th][neu]) == 0 {
				t.Errorf("%s: theme %s lacks sentences of some polarity", lang, th)
			}
			if len(b.clause[th][pos]) == 0 || len(b.clause[th][neg]) == 0 {
				t.Errorf("%s: theme %s lacks clauses", lang, th)
			}
		}
		for r := 1; r <= 5; r++ {
			if len(b.oneLiners[r]) == 0 {
				t.Errorf("%s: no one-liner for %d stars", lang, r)
			}
		}
		for id := range b.locExtras {
			base, _, _ := strings.Cut(id, "@")
			if !ids[base] {
				t.Errorf("%s: extras for unknown location %q", lang, id)
			}
		}
		distinct := map[string]bool{}
		for where, ts := range b.templates() {
			for _, tmpl := range ts {
				for seed := range uint64(12) {
					c := &ctx{r: newRNG(seed), gender: int(seed % 2), lists: lists}
					var s string
					func() {
						defer func() {
							if err := recover(); err != nil {
								t.Errorf("%s %s: template %q: %v", lang, where, tmpl, err)
							}
						}()
						s = c.expand(tmpl)
					}()
					if strings.ContainsAny(s, "{}|") || strings.Contains(s, "  ") || s != strings.TrimSpace(s) {
						t.Errorf("%s %s: template %q expands to %q", lang, where, tmpl, s)
					}
					distinct[s] = true
					wait := strings.HasPrefix(where, "burst") || where == "sent waiting:neg" || where == "clause waiting:neg" ||
						strings.HasSuffix(where, " waiting:neg") && strings.HasPrefix(where, "extra ")
					if wait && !waitWords[lang].MatchString(s) {
						t.Errorf("%s %s: a complaint about waiting names no wait: %q", lang, where, s)
					}
				}
			}
		}
		t.Logf("%s: %d distinct phrases", lang, len(distinct))
		if len(distinct) < 1000 {
			t.Errorf("%s: only %d distinct phrases", lang, len(distinct))
		}
	}
}
