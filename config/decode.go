package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder turns a YAML node tree into Go structs strictly: a key that the
// target does not declare is an error, and every error carries the file,
// the line and the dotted path of the field, so that a user can find it.
//
// Structs, slices and maps are walked here; leaves (strings, numbers,
// durations, sizes) are handed to yaml.v3 one by one so that a type error
// still names its field.
type decoder struct {
	file  string
	errs  []error
	lines map[string]int // field path -> line, for validation errors
}

// FieldError is a configuration problem at one place in one file.
type FieldError struct {
	File  string
	Line  int
	Field string // dotted path, such as brands[0].locations[1].sources[0].url
	Msg   string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

func (d *decoder) errorf(line int, path, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{File: d.file, Line: line, Field: path, Msg: fmt.Sprintf(format, args...)})
}

// line returns the line of path, or of its nearest ancestor that appears in
// the file (a missing field is reported where its parent starts).
func (d *decoder) line(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := d.lines[p]; ok {
			return l
		}
	}
	return 0
}

func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// decode fills out (a pointer) from n.
func (d *decoder) decode(n *yaml.Node, out reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.lines[path] = n.Line
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value keeps the default
	}
	t := out.Type().Elem()
	if reflect.PointerTo(t).Implements(unmarshalerType) || t == reflect.TypeFor[yaml.Node]() {
		d.leaf(n, out, path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.structure(n, out.Elem(), path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n.Line, path, "expected a list, found %s", describe(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i).Addr(), fmt.Sprintf("%s[%d]", path, i))
		}
		out.Elem().Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.errorf(n.Line, path, "expected a mapping of keys to values, found %s", describe(n))
			return
		}
		if out.Elem().IsNil() {
			out.Elem().Set(reflect.MakeMap(t))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			val := reflect.New(t.Elem())
			d.decode(v, val, joinPath(path, k.Value))
			out.Elem().SetMapIndex(reflect.ValueOf(k.Value).Convert(t.Key()), val.Elem())
		}
	case reflect.Pointer:
		if out.Elem().IsNil() {
			out.Elem().Set(reflect.New(t.Elem()))
		}
		d.decode(n, out.Elem(), path)
	default:
		d.leaf(n, out, path)
	}
}

func (d *decoder) leaf(n *yaml.Node, out reflect.Value, path string) {
	if err := n.Decode(out.Interface()); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			d.errorf(n.Line, path, "expected %s, found %s", describeType(out.Type().Elem()), describe(n))
			return
		}
		d.errorf(n.Line, path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
}

// structure decodes a mapping into a struct, rejecting unknown keys.
func (d *decoder) structure(n *yaml.Node, out reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, path, "expected a mapping of keys to values, found %s", describe(n))
		return
	}
	fields := yamlFields(out.Type())
	holder, _ := out.Addr().Interface().(unknownKeeper)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		fp := joinPath(path, name)
		idx, ok := fields[name]
		if !ok && holder != nil {
			holder.keepUnknown(k, v)
			continue
		}
		if !ok {
			d.errorf(k.Line, fp, "unknown key %q%s", name, suggest(name, fields))
			continue
		}
		if seen[name] {
			d.errorf(k.Line, fp, "key %q is given twice", name)
			continue
		}
		seen[name] = true
		d.lines[fp] = k.Line
		d.decode(v, out.FieldByIndex(idx).Addr(), fp)
		d.lines[fp] = k.Line
	}
}

// unknownKeeper is a struct that takes the keys it does not declare instead
// of rejecting them (a source keeps its kind's parameters).
type unknownKeeper interface {
	keepUnknown(key, value *yaml.Node)
}

// yamlFields maps the YAML keys of a struct type to field indexes.
func yamlFields(t reflect.Type) map[string][]int {
	m := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" && f.Type.Kind() == reflect.Struct {
			for k, idx := range yamlFields(f.Type) {
				m[k] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = []int{i}
	}
	return m
}

// suggest names the closest known key, or lists the known keys.
func suggest(name string, fields map[string][]int) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	best, bestD := "", 3
	for _, k := range keys {
		if dist := editDistance(name, k); dist < bestD {
			best, bestD = k, dist
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return fmt.Sprintf(" (known keys: %s)", strings.Join(keys, ", "))
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return strconv.Quote(v)
	}
	return "something else"
}

func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "text"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	}
	return t.String()
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expandEnv replaces ${NAME} and ${NAME:-default} in every scalar value with
// the environment's value, so that secrets stay out of the file. A variable
// that is not set and has no default is an error.
func (d *decoder) expandEnv(n *yaml.Node, lookup func(string) (string, bool)) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			m := envRef.FindStringSubmatch(ref)
			if v, ok := lookup(m[1]); ok {
				return v
			}
			if m[2] != "" {
				return m[3]
			}
			d.errorf(n.Line, "", "environment variable %s is not set (write ${%s:-default} to give a default)", m[1], m[1])
			return ""
		})
		// A value that came from the environment is text, whatever it looks like.
		if n.Tag == "" || n.Tag == "!" {
			n.Tag = ""
		}
	}
	for _, c := range n.Content {
		d.expandEnv(c, lookup)
	}
}
