package schemaorg

import (
	"encoding/json"
	"strings"
	"testing"
)

// plain turns parseLenient's values into encoding/json's, to compare them
// as JSON text.
func plain(v any) any {
	switch v := v.(type) {
	case *jobject:
		m := map[string]any{}
		for i, k := range v.keys {
			m[k] = plain(v.vals[i])
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = plain(e)
		}
		return out
	case jnumber:
		f, _ := decimal(string(v))
		return f
	}
	return v
}

func TestParseLenient(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string // the values as a JSON array
		problems bool
	}{
		{name: "strict", in: `{"a": 1, "b": [true, null, "x"]}`, want: `[{"a":1,"b":[true,null,"x"]}]`},
		{name: "raw control characters", in: "{\"t\": \"line one\nline\ttwo\r\"}", want: `[{"t":"line one\nline\ttwo\r"}]`},
		{name: "trailing commas", in: `{"a": [1, 2,], "b": 3,}`, want: `[{"a":[1,2],"b":3}]`},
		{name: "cdata", in: "//<![CDATA[\n{\"a\": 1}\n//]]>", want: `[{"a":1}]`},
		{name: "cdata bare", in: "<![CDATA[{\"a\": 1}]]>", want: `[{"a":1}]`},
		{name: "html comment", in: "<!--\n{\"a\": 1}\n-->", want: `[{"a":1}]`},
		{name: "comments", in: "/* head */ {\"a\": 1, // one\n \"b\": 2}", want: `[{"a":1,"b":2}]`},
		{name: "bom", in: "\ufeff{\"a\": 1}", want: `[{"a":1}]`},
		{name: "several objects", in: `{"a": 1} {"b": 2}`, want: `[{"a":1},{"b":2}]`},
		{name: "several objects with commas", in: `{"a": 1}, {"b": 2};`, want: `[{"a":1},{"b":2}]`},
		{name: "top array", in: `[{"a": 1}, {"b": 2}]`, want: `[[{"a":1},{"b":2}]]`},
		{name: "single quotes and bare keys", in: `{name: 'Café l'Étoile', 'n': 2}`, want: `[{"n":2,"name":"Café l'Étoile"}]`},
		{name: "unescaped quote in text", in: `{"t": "He said "great" food", "n": 1}`, want: `[{"n":1,"t":"He said \"great\" food"}]`},
		{name: "missing comma between members", in: "{\"a\": \"x\" \"b\": \"y\"}", want: `[{"a":"x","b":"y"}]`},
		{name: "escapes", in: `{"t": "a\u00e9\ud83d\ude00\/\'\x"}`, want: `[{"t":"aé😀/'x"}]`},
		{name: "lone surrogate", in: `{"t": "\ud83d!"}`, want: `[{"t":"` + "\ufffd" + `!"}]`},
		{name: "bad unicode escape", in: `{"t": "\u12"}`, want: `[{"t":"\\u12"}]`},
		{name: "numbers", in: `{"a": -1.5e3, "b": 4, "d": NaN, "e": -Infinity}`, want: `[{"a":-1500,"b":4,"d":null,"e":null}]`},
		{name: "loose numbers", in: `[+2, .5]`, want: `[[2,0.5]]`},
		{name: "truncated", in: `{"a": {"b": [1, 2`, want: `[{"a":{"b":[1,2]}}]`, problems: true},
		{name: "bad member skipped", in: `{"a": 1, "b": ??, "c": 3}`, want: `[{"a":1,"c":3}]`, problems: true},
		{name: "bad element skipped", in: `[1, #, 3]`, want: `[[1,3]]`, problems: true},
		{name: "junk around", in: `window.x = {"a": 1};`, want: `[{"a":1}]`, problems: true},
		{name: "mismatched bracket", in: `[{"a": 1]`, want: `[[{"a":1}]]`, problems: true},
		{name: "nothing", in: `  `, want: `null`},
		{name: "not json", in: `hello`, want: `null`, problems: true},
		{name: "invalid utf8", in: "{\"t\": \"a\xffb\"}", want: `[{"t":"a` + "\ufffd" + `b"}]`},
		{name: "deep nesting is cut, not crashed", in: strings.Repeat("[", 300) + strings.Repeat("]", 300), problems: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, problems := parseLenient(tt.in)
			if tt.problems != (len(problems) > 0) {
				t.Errorf("problems = %q, want some: %v", problems, tt.problems)
			}
			if tt.want == "" {
				return
			}
			var got []any
			for _, v := range vals {
				got = append(got, plain(v))
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			// Compare as decoded JSON so that key order does not matter.
			var g, w any
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.UseNumber()
			if err := dec.Decode(&g); err != nil {
				t.Fatalf("re-decoding %s: %v", b, err)
			}
			dec = json.NewDecoder(strings.NewReader(tt.want))
			dec.UseNumber()
			if err := dec.Decode(&w); err != nil {
				t.Fatalf("want %s: %v", tt.want, err)
			}
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			if string(gb) != string(wb) {
				t.Errorf("got %s, want %s", gb, wb)
			}
		})
	}
}
