package schemaorg

import (
	"testing"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/conntest"
)

func TestParseRating(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     float64
		wantBest float64 // 0: no scale stated
		ok       bool
	}{
		{"integer", "4", 4, 0, true},
		{"decimal point", "4.5", 4.5, 0, true},
		{"decimal comma", "4,5", 4.5, 0, true},
		{"spaces", "  3 ", 3, 0, true},
		{"slash scale", "8/10", 8, 10, true},
		{"out of", "Rated 4.5 out of 5", 4.5, 5, true},
		{"french sur", "4,2 sur 5", 4.2, 5, true},
		{"russian iz", "4 из 5", 4, 5, true},
		{"stars", "★★★★☆", 4, 5, true},
		{"stars with spaces", "★ ★ ★ ☆ ☆", 3, 5, true},
		{"words", "excellent", 0, 0, false},
		{"empty", "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, best, ok := parseRating(tt.in)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("parseRating(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
			switch {
			case tt.wantBest == 0 && best != nil:
				t.Errorf("best = %v, want none", *best)
			case tt.wantBest != 0 && (best == nil || *best != tt.wantBest):
				t.Errorf("best = %v, want %v", best, tt.wantBest)
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
		ok   bool
	}{
		{"plain", "3077", 3077, true},
		{"comma thousands", "1,024", 1024, true},
		{"space thousands", "1 312", 1312, true},
		{"nbsp thousands", "2\u00a0318", 2318, true},
		{"dot thousands", "1.234", 1234, true},
		{"float", "22.0", 22, true},
		{"with words", "250 reviews", 250, true},
		{"none", "many", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseCount(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseCount(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNormLang(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"code", "fr", "fr"},
		{"region", "en-GB", "en-GB"},
		{"underscore", "ru_RU", "ru-RU"},
		{"english name", "English", "en"},
		{"russian name", "Русский", "ru"},
		{"french name", "français", "fr"},
		{"garbage", "the language of love", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := normLang(tt.in); got != tt.want {
				t.Errorf("normLang(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name    string
		params  Params
		wantErr []string // substrings; none means valid
	}{
		{name: "url", params: Params{URL: "https://example.test/reviews"}},
		{name: "urls only", params: Params{URLs: []string{"http://example.test/a", "https://example.test/b"}}},
		{name: "selector", params: Params{URL: "https://example.test/", NextSelector: "a.next, .pager li:last-child a"}},
		{name: "nothing", params: Params{}, wantErr: []string{"url: is required"}},
		{name: "relative", params: Params{URL: "/reviews"}, wantErr: []string{`url: "/reviews" is not an absolute http(s) URL`}},
		{name: "bad extra", params: Params{URL: "https://example.test/", URLs: []string{"ftp://example.test/x"}}, wantErr: []string{"urls[0]:"}},
		{name: "bad selector", params: Params{URL: "https://example.test/", NextSelector: "a[href"}, wantErr: []string{"next_selector:", "not a CSS selector"}},
		{name: "all wrong", params: Params{URL: "x", URLs: []string{"y"}, NextSelector: "(("}, wantErr: []string{"url:", "urls[0]:", "next_selector:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conntest.CheckError(t, tt.params.Validate(), tt.wantErr...)
		})
	}
}

func TestDetect(t *testing.T) {
	read := func(name string) []byte {
		return conntest.Testdata(t, name)
	}
	tests := []struct {
		name string
		body []byte
		want int
	}{
		{"json-ld reviews", read("jsonld-graph.html"), 90},
		{"microdata reviews", read("microdata-meta.html"), 90},
		{"rdfa reviews", read("rdfa.html"), 90},
		{"aggregate only", []byte(`<div itemscope itemtype="https://schema.org/Restaurant"><span itemprop="name">X</span><div itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating"><span itemprop="ratingValue">4</span><span itemprop="reviewCount">9</span></div></div>`), 70},
		{"structured data without reviews", []byte(`<script type="application/ld+json">{"@type":"BreadcrumbList"}</script>`), 10},
		{"plain page", []byte(`<html><body><p>Hello</p></body></html>`), 0},
		{"rss", []byte(`<?xml version="1.0"?><rss><channel><item><title>x</title></item></channel></rss>`), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(connectors.Document{Body: tt.body}); got != tt.want {
				t.Errorf("Detect = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRegistered(t *testing.T) {
	k, ok := connectors.Default.Lookup(Kind)
	if !ok {
		t.Fatal("kind schemaorg is not registered")
	}
	if _, ok := k.NewParams().(*Params); !ok {
		t.Errorf("NewParams returns %T", k.NewParams())
	}
	if k.Extract == nil || k.Detect == nil || k.New == nil {
		t.Error("kind lacks Extract, Detect or New")
	}
}

func TestPositional(t *testing.T) {
	tests := []struct {
		name string
		ids  []string
		pos  []int
		want bool
	}{
		{"first page", []string{"#review-1", "#review-2", "#review-3"}, []int{1, 2, 3}, true},
		{"zero based", []string{"r0", "r1"}, []int{1, 2}, true},
		{"second page", []string{"#review-11", "#review-12"}, []int{1, 2}, true},
		{"gap from a dropped review", []string{"#review-1", "#review-3"}, []int{1, 3}, true},
		{"single at its position", []string{"#review-1"}, []int{1}, true},
		{"single real id", []string{"#review-8841"}, []int{1}, false},
		{"real ids newest first", []string{"#r-8841", "#r-8790", "#r-8702"}, []int{1, 2, 3}, false},
		{"consecutive descending", []string{"c-502", "c-501"}, []int{1, 2}, false},
		{"consecutive large ids", []string{"#r-70912", "#r-70913"}, []int{4, 5}, false},
		{"no numbers", []string{"abc", "def"}, []int{1, 2}, false},
		{"none", []string{"", ""}, []int{1, 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := positional(tt.ids, tt.pos); got != tt.want {
				t.Errorf("positional(%q) = %v, want %v", tt.ids, got, tt.want)
			}
		})
	}
}
