package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testParams stands for a connector kind's parameters.
type testParams struct {
	URL      string   `yaml:"url"`
	Selector string   `yaml:"next_selector"`
	Pages    []string `yaml:"pages"`
}

func (p *testParams) Validate() error {
	return CheckURL("url", p.URL)
}

type testKinds struct{}

func (testKinds) Params(kind string) (any, bool) {
	if kind == "web" {
		return &testParams{}, true
	}
	return nil, false
}
func (testKinds) Names() []string { return []string{"web"} }

const valid = `
data_dir: state
crawler:
  delay: 2s
  max_page_size: 2MB
brands:
  - id: acme
    name: Acme Cafés
    locations:
      - id: paris
        name: Acme Paris
        city: Paris
        country: FR
        coordinates: {lat: 48.8, lon: 2.3}
        tags: [flagship]
        sources:
          - kind: web
            url: https://example.com/reviews
            next_selector: a.next
            schedule: "0 */6 * * *"
          - id: paris-other
            kind: web
            url: ${SITE:-https://example.org}/x
`

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func TestParseValid(t *testing.T) {
	c, err := Parse("/etc/vigie/vigie.yaml", []byte(valid), testKinds{}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/etc/vigie/state" {
		t.Errorf("data_dir = %q, want it relative to the file", c.DataDir)
	}
	if c.Crawler.Delay.D() != 2*time.Second || c.Crawler.MaxPageSize != 2_000_000 {
		t.Errorf("crawler = %+v", c.Crawler)
	}
	if c.Crawler.Parallelism != 2 || !c.Crawler.RobotsEnabled() {
		t.Errorf("defaults lost: %+v", c.Crawler)
	}
	src := c.Sources()
	if len(src) != 2 {
		t.Fatalf("sources = %d", len(src))
	}
	if src[0].ID != "paris-web" || src[0].Brand != "acme" || src[0].Location != "paris" || src[0].Schedule != "0 */6 * * *" {
		t.Errorf("source 0 = %+v", src[0])
	}
	if p := src[0].Params.(*testParams); p.URL != "https://example.com/reviews" || p.Selector != "a.next" {
		t.Errorf("params = %+v", p)
	}
	if src[1].Schedule != "@every 6h" {
		t.Errorf("default schedule not applied: %q", src[1].Schedule)
	}
	if p := src[1].Params.(*testParams); p.URL != "https://example.org/x" {
		t.Errorf("env default not applied: %q", p.URL)
	}
	c, err = Parse("v.yaml", []byte(valid), testKinds{}, env(map[string]string{"SITE": "https://mirror.example"}))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Sources()[1].Params.(*testParams); p.URL != "https://mirror.example/x" {
		t.Errorf("env not expanded: %q", p.URL)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // each must appear in the error
	}{
		{"unknown top-level key", "data_dri: x\n" + brands, []string{"v.yaml:1: data_dri: unknown key \"data_dri\" (did you mean \"data_dir\"?)"}},
		{"unknown nested key", "crawler:\n  delai: 1s\n" + brands, []string{"v.yaml:2: crawler.delai: unknown key"}},
		{"unknown source param", brands + "            colour: red\n", []string{"v.yaml:8: brands[0].locations[0].sources[0].colour: unknown key \"colour\""}},
		{"wrong type", "crawler:\n  parallelism: many\n" + brands, []string{"v.yaml:2: crawler.parallelism: expected a whole number, found \"many\""}},
		{"bad duration", "crawler:\n  timeout: soon\n" + brands, []string{"v.yaml:2: crawler.timeout: expected a duration"}},
		{"list expected", "brands: acme\n", []string{"v.yaml:1: brands: expected a list"}},
		{"missing id", "brands:\n  - name: Acme\n", []string{"v.yaml:2: brands[0].id: a brand needs an id"}},
		{"missing kind", "brands:\n  - id: a\n    locations:\n      - id: l\n        sources:\n          - url: https://x.example\n", []string{"v.yaml:6: brands[0].locations[0].sources[0].kind: a source needs a kind"}},
		{"unknown kind", strings.Replace(brands, "kind: web", "kind: webb", 1), []string{"v.yaml:6: brands[0].locations[0].sources[0].kind: unknown kind \"webb\" (known kinds: web)"}},
		{"missing param", strings.Replace(brands, "            url: https://example.com\n", "", 1), []string{"v.yaml:6: brands[0].locations[0].sources[0].url: is required"}},
		{"bad cron", brands + "            schedule: \"61 * * * *\"\n", []string{"v.yaml:8: brands[0].locations[0].sources[0].schedule: \"61 * * * *\" is not a schedule"}},
		{"bad default schedule", "schedule: sometimes\n" + brands, []string{"v.yaml:1: schedule: \"sometimes\" is not a schedule"}},
		{"duplicate location", "brands:\n  - id: a\n    locations:\n      - id: l\n      - id: l\n", []string{"v.yaml:5: brands[0].locations[1].id: location id \"l\" is already used at line 4"}},
		{"bad id", "brands:\n  - id: Big Brand\n", []string{"v.yaml:2: brands[0].id: brand id \"Big Brand\" may hold only"}},
		{"env not set", brands + "            next_selector: ${NOPE}\n", []string{"v.yaml:8: environment variable NOPE is not set"}},
		{"several errors at once", "crawler:\n  retries: x\n  delay: y\n" + brands, []string{"v.yaml:2: crawler.retries", "v.yaml:3: crawler.delay"}},
		{"yaml syntax", "brands: [\n", []string{"v.yaml:1: did not find expected node content"}},
		{"empty", "", []string{"v.yaml: the file is empty"}},
		{"duplicate key", "data_dir: a\ndata_dir: b\n" + brands, []string{"v.yaml:2"}},
		{"exposed server", "server: {addr: \"0.0.0.0:8080\"}\n" + brands, []string{"v.yaml:1: server.addr: listening on \"0.0.0.0:8080\" without server.tokens"}},
		{"short token", "server:\n  tokens: [abc]\n" + brands, []string{"server.tokens[0]: a token needs at least 16 characters"}},
		{"coordinates", strings.Replace(brands, "      - id: l\n", "      - id: l\n        coordinates: {lat: 123, lon: 0}\n", 1), []string{"brands[0].locations[0].coordinates.lat: must be between -90 and 90"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("v.yaml", []byte(tt.yaml), testKinds{}, env(nil))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain:\n%s", err, w)
				}
			}
		})
	}
}

const brands = `brands:
  - id: acme
    locations:
      - id: l
        sources:
          - kind: web
            url: https://example.com
`

func TestFieldError(t *testing.T) {
	_, err := Parse("v.yaml", []byte("crawler:\n  retries: x\n"+brands), testKinds{}, env(nil))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Line != 2 || fe.Field != "crawler.retries" || fe.File != "v.yaml" {
		t.Fatalf("error %#v, want a FieldError at v.yaml:2 crawler.retries", err)
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{{"10MB", 10_000_000}, {"512 KiB", 512 << 10}, {"1GiB", 1 << 30}, {"2048", 2048}, {"1.5MB", 1_500_000}}
	for _, tt := range tests {
		if got, err := ParseByteSize(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseByteSize("lots"); err == nil {
		t.Error("ParseByteSize(lots) succeeded")
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), testKinds{})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("error = %v", err)
	}
}
