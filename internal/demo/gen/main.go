// Command gen writes the review data of Vigie's demo site,
// internal/demo/data/reviews.jsonl, from the hand-written phrase banks of
// this folder. It is deterministic: the same source always writes the same
// bytes (its random numbers come from a fixed seed and its own generator),
// and a test checks that the committed file is what it writes.
//
// Run it with go generate in internal/demo, or:
//
//	go run ./internal/demo/gen -out internal/demo/data
//
// See ../PATTERNS.md for what the data holds and the patterns it plants.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "data", "folder to write reviews.jsonl to")
	flag.Parse()
	data := generate()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	path := filepath.Join(*out, "reviews.jsonl")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("gen: wrote %s (%d bytes)\n", path, len(data))
}
