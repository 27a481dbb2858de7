// Package all registers every source kind; import it for its side effect.
package all

import (
	_ "github.com/vigie-dev/vigie/connectors/schemaorg" // pages with schema.org review markup
)
