package demo

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/config"
)

// schemaorgKinds stands for the connector registry: it knows the one kind
// the demo uses, with its url parameter.
type schemaorgKinds struct{}

type schemaorgParams struct {
	URL string `yaml:"url"`
}

func (p *schemaorgParams) Validate() error { return config.CheckURL("url", p.URL) }

func (schemaorgKinds) Params(kind string) (any, bool) {
	if kind != "schemaorg" {
		return nil, false
	}
	return &schemaorgParams{}, true
}

func (schemaorgKinds) Names() []string { return []string{"schemaorg"} }

func TestConfigYAML(t *testing.T) {
	const site = "http://127.0.0.1:8089"
	data := ConfigYAML(site + "/")
	file := filepath.Join(t.TempDir(), "vigie.yaml")
	c, err := config.Parse(file, data, schemaorgKinds{}, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("the demo configuration does not load: %v\n%s", err, data)
	}
	if c.DataDir != filepath.Dir(file) {
		t.Errorf("data_dir = %q, want the file's folder", c.DataDir)
	}
	if c.Schedule != "@every 1h" || c.Crawler.Delay != 0 || c.Crawler.Parallelism != 4 || c.Crawler.MaxPages != 100 ||
		c.Crawler.Retries != 2 || c.Crawler.MaxPageSize != 5_000_000 || !c.Crawler.RobotsEnabled() {
		t.Errorf("crawler settings: %+v", c.Crawler)
	}
	if len(c.Brands) != 1 || c.Brands[0].ID != "maison-colette" || c.Brands[0].Name != "Maison Colette" {
		t.Fatalf("brands: %+v", c.Brands)
	}
	locs := Locations()
	got := c.Brands[0].Locations
	if len(got) != len(locs) {
		t.Fatalf("%d locations, want %d", len(got), len(locs))
	}
	for i, l := range locs {
		g := got[i]
		if g.ID != l.ID || g.Name != l.Name || g.Address != l.Address || g.City != l.City || g.Country != l.Country ||
			g.Coordinates == nil || g.Coordinates.Lat != l.Lat || g.Coordinates.Lon != l.Lon || strings.Join(g.Tags, ",") != strings.Join(l.Tags, ",") {
			t.Errorf("location %d: %+v, want %+v", i, g, l)
		}
		if len(g.Sources) != 1 {
			t.Fatalf("%s: %d sources", l.ID, len(g.Sources))
		}
		s := g.Sources[0]
		if s.ID != l.ID+"-site" || s.Kind != "schemaorg" || s.Params.(*schemaorgParams).URL != site+"/locations/"+l.ID+"/reviews" {
			t.Errorf("%s: source %+v %+v", l.ID, s, s.Params)
		}
	}
	// It explains itself to a new user.
	if n := strings.Count(string(data), "\n#") + strings.Count(string(data), "  #"); n < 20 {
		t.Errorf("only %d comment lines", n)
	}
}
