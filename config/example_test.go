package config_test

import (
	"testing"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	_ "github.com/vigie-dev/vigie/connectors/all"
)

// The annotated example is what users copy: it must always load.
func TestExampleLoads(t *testing.T) {
	c, err := config.Load("example.yaml", connectors.Default)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources()) == 0 {
		t.Fatal("the example has no sources")
	}
	for _, s := range c.Sources() {
		if s.Params == nil {
			t.Errorf("source %s: parameters not decoded", s.ID)
		}
	}
}
