package conntest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding"

	"github.com/vigie-dev/vigie/connectors"
)

// NewSink returns a Sink that already has the reviews of the external ids
// known, unchanged.
func NewSink(known ...string) *Sink { return &Sink{Known: Set(known...)} }

// Set returns the set of keys (never nil): known ids, fault paths.
func Set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// Collect builds a connector for env with newConn (a kind's New) and runs
// it into sink. A connector that cannot be built, or a Collect that
// returns an error, ends the test.
func Collect(t testing.TB, newConn func(connectors.Env) (connectors.Connector, error), env connectors.Env, sink connectors.Sink) {
	t.Helper()
	c, err := newConn(env)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Collect(context.Background(), sink); err != nil {
		t.Fatalf("Collect: %v", err)
	}
}

// CheckFinal checks that no page but the last is Final, and that the last
// one is when final is true.
func (s *Sink) CheckFinal(t testing.TB, final bool) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.Pages {
		if want := final && i == len(s.Pages)-1; p.Final != want {
			t.Errorf("page %d (%s): Final %v, want %v", i+1, p.URL, p.Final, want)
		}
	}
}

// CheckErrors checks the page errors recorded: none when want is "", else
// exactly one, whose message holds want.
func (s *Sink) CheckErrors(t testing.TB, want string) {
	t.Helper()
	errs := s.Errors()
	switch {
	case want == "" && len(errs) > 0:
		t.Errorf("page errors: %v", errs)
	case want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), want)):
		t.Errorf("page errors %v, want one containing %q", errs, want)
	}
}

// CheckError checks err against want, substrings of its message: no error
// when want holds none (empty strings do not count), else an error whose
// message holds every one. A missing error ends the test.
func CheckError(t testing.TB, err error, want ...string) {
	t.Helper()
	var subs []string
	for _, w := range want {
		if w != "" {
			subs = append(subs, w)
		}
	}
	if len(subs) == 0 {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one saying %q", subs)
	}
	for _, w := range subs {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}

// CheckRetried checks, when f answers some path with a 429 or a 500 once,
// that path was requested want times in all. It checks nothing when f is
// nil or injects neither.
func (f *Faults) CheckRetried(t testing.TB, path string, want int) {
	t.Helper()
	if f == nil || (len(f.TooMany) == 0 && len(f.ServerError) == 0) {
		return
	}
	if n := f.Hits(path); n != want {
		t.Errorf("%s requested %d times, want %d", path, n, want)
	}
}

// Golden compares got, written as indented JSON without HTML escaping,
// with the golden file at path; with update (a test's -update flag) it
// rewrites the file instead. A difference fails the test and shows the
// first lines that differ.
func Golden(t testing.TB, path string, got any, update bool) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	if update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("extraction differs from %s (run go test -update and review the diff):\n%s", path, diffLines(string(want), buf.String()))
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

// CheckNew checks the errors of a kind's New: with no parameters at all,
// and with invalid ones (invalid, such as the defaults when a field is
// required), whose error must say wantErr.
func CheckNew(t testing.TB, newConn func(connectors.Env) (connectors.Connector, error), kind string, invalid any, wantErr string) {
	t.Helper()
	if _, err := newConn(connectors.Env{Client: Client()}); err == nil || !strings.Contains(err.Error(), "parameters are <nil>") {
		t.Errorf("New without params = %v", err)
	}
	if _, err := newConn(Env(kind, invalid)); err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("New with empty params = %v", err)
	}
}

// DetectCase is a document body and the score a kind's Detect gives it.
type DetectCase struct {
	Name, Body string
	Want       int
}

// CheckDetect scores each case's body with detect, in a subtest named
// after the case.
func CheckDetect(t *testing.T, detect func(connectors.Document) int, cases []DetectCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			if got := detect(connectors.Document{Body: []byte(tt.Body)}); got != tt.Want {
				t.Errorf("Detect = %d, want %d", got, tt.Want)
			}
		})
	}
}

// Testdata reads the file at testdata/elem…; a file that cannot be read
// ends the test.
func Testdata(t testing.TB, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, elem...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Encode encodes the UTF-8 text b in charset enc (charmap.Windows1251…),
// as a fixture server serves a page in a legacy charset; text that enc
// cannot encode ends the test.
func Encode(t testing.TB, enc encoding.Encoding, b []byte) []byte {
	t.Helper()
	out, err := enc.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// CheckWarnings checks that warnings, taken together, say each of want.
func CheckWarnings(t testing.TB, warnings []string, want ...string) {
	t.Helper()
	w := strings.Join(warnings, "\n")
	for _, s := range want {
		if !strings.Contains(w, s) {
			t.Errorf("warnings lack %q:\n%s", s, w)
		}
	}
}
