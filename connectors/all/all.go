// Package all registers every source kind; import it for its side effect.
package all

import (
	_ "github.com/vigie-dev/vigie/connectors/appstore"     // Apple App Store customer reviews
	_ "github.com/vigie-dev/vigie/connectors/feed"         // RSS, Atom and JSON Feed (comments, alerts)
	_ "github.com/vigie-dev/vigie/connectors/file"         // CSV and JSON Lines exports (surveys, e-mail feedback)
	_ "github.com/vigie-dev/vigie/connectors/gbp"          // Google Business Profile API (a brand's own locations)
	_ "github.com/vigie-dev/vigie/connectors/googleplaces" // Google Places API place details
	_ "github.com/vigie-dev/vigie/connectors/html"         // any review site, described with CSS selectors
	_ "github.com/vigie-dev/vigie/connectors/mastodon"     // Mastodon hashtags and accounts
	_ "github.com/vigie-dev/vigie/connectors/schemaorg"    // pages with schema.org review markup
	_ "github.com/vigie-dev/vigie/connectors/trustpilot"   // Trustpilot business pages
	_ "github.com/vigie-dev/vigie/connectors/yelp"         // Yelp Fusion API
)
