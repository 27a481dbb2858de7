package demo

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
	"github.com/vigie-dev/vigie/connectors/schemaorg"
	"github.com/vigie-dev/vigie/internal/demo/brand"
)

// Owner replies are published as schema.org Comments by the café, in both
// markups, so that the dashboard's response rate and reply time have
// data: the schema.org extractor reads every one of them.
func TestRepliesAreReadable(t *testing.T) {
	srv := httptest.NewServer(Handler(testEpoch))
	defer srv.Close()
	byID := map[string]*record{}
	for i, r := range loadReviews() {
		byID[r.ID] = &loadReviews()[i]
	}
	replies := map[string]int{}
	for _, loc := range brand.Locations() {
		markup := loc.Markup
		path := "/locations/" + loc.ID + "/reviews"
		_, body := get(t, srv, path)
		ext, err := schemaorg.Extract(connectors.Document{URL: srv.URL + path, Body: []byte(body)}, schemaorg.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ext.Reviews {
			rec := byID[strings.TrimPrefix(r.ExternalID, "urn:maison-colette:review:")]
			if rec == nil {
				t.Fatalf("%s: review %q not in the data", markup, r.ExternalID)
			}
			if (rec.Reply != nil) != (r.Reply != nil) {
				t.Errorf("%s: review %s: reply %v, want %v", markup, rec.ID, r.Reply != nil, rec.Reply != nil)
				continue
			}
			if r.Reply != nil {
				replies[markup]++
				if r.Reply.Author != rec.Reply.Author || r.Reply.PublishedAt.IsZero() || !strings.HasPrefix(rec.Reply.Text, strings.SplitN(r.Reply.Text, "\n", 2)[0]) {
					t.Errorf("%s: reply %+v, want %+v", markup, r.Reply, rec.Reply)
				}
			}
		}
	}
	for _, markup := range []string{"jsonld", "microdata"} {
		if replies[markup] == 0 {
			t.Errorf("%s: no reply read on the locations' first pages", markup)
		}
	}
}
