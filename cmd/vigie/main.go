// Command vigie collects, understands and indexes what customers say about
// a brand's locations. See README.md, or run `vigie help`.
package main

import (
	"os"

	"github.com/vigie-dev/vigie/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
