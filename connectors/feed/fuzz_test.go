package feed

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-dev/vigie/connectors"
)

// FuzzParse feeds arbitrary documents to the feed parser, charset
// handling and salvage included: it must never panic, and what it returns
// must hold together.
func FuzzParse(f *testing.F) {
	for _, n := range []string{"wordpress-comments.xml", "atom-1.xml", "jsonfeed-1.json", "ratings.xml", "appstore.xml", "broken.xml", "complete.xml"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b, "")
		}
	}
	if b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", "rss", "miniflux-ibash-ru-windows1251.xml")); err == nil {
		f.Add(b, "text/xml")
	}
	f.Add([]byte("\xff\xfe<\x00r\x00s\x00s\x00>\x00"), "")
	f.Add([]byte(`<?xml version="1.0" encoding="koi8-r"?><feed><entry><id>1</id><content type="text">`+"\xc1\xc2"+`</content></entry></feed>`), "application/atom+xml; charset=windows-1251")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":1,"content_text":"x","_rating":5}]}`), "application/feed+json")
	f.Add([]byte(`<rss><channel><item><rating>4,5/5</rating><title>a</title></item><item><title>b</i></item></channel></rss>`), "")
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		res, err := Parse(connectors.Document{URL: "https://example.test/feed/", ContentType: ctype, Body: body}, Options{})
		if err != nil {
			return
		}
		checkResult(t, res)
		Detect(connectors.Document{Body: body})
	})
}
