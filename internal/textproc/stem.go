package textproc

import (
	"hash/maphash"
	"strings"
	"sync"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/russian"
)

// Stem returns the Snowball stem of a normalised word (see Token.Norm) in
// lang, or word itself for a language without a stemmer. Results are
// cached for the life of the process.
func Stem(word, lang string) string {
	st := stemmerFor(lang)
	if st == nil {
		return word
	}
	return st.stem(word)
}

// stemmer memoises one language's Snowball stemmer. Stemming allocates and
// costs about a microsecond; a review repeats the words of the last
// thousand reviews, so a cache makes it a map read.
type stemmer struct {
	fn     func(*snowballstem.Env) bool
	seed   maphash.Seed
	shards [stemShards]stemShard
}

const (
	stemShards = 64
	// stemShardMax bounds each shard: past it the shard starts afresh, so
	// a stream of unique junk cannot grow memory without end.
	stemShardMax = 4096
)

type stemShard struct {
	mu sync.RWMutex
	m  map[string]string
}

var stemmers = map[string]*stemmer{
	"fr": newStemmer(french.Stem),
	"ru": newStemmer(russian.Stem),
	"en": newStemmer(english.Stem),
}

func newStemmer(fn func(*snowballstem.Env) bool) *stemmer {
	s := &stemmer{fn: fn, seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].m = make(map[string]string, 256)
	}
	return s
}

func stemmerFor(lang string) *stemmer { return stemmers[lang] }

func (s *stemmer) stem(word string) string {
	if len(word) <= 2 {
		return word // no stemmer shortens these, and they are frequent
	}
	sh := &s.shards[maphash.String(s.seed, word)%stemShards]
	sh.mu.RLock()
	st, ok := sh.m[word]
	sh.mu.RUnlock()
	if ok {
		return st
	}
	env := snowballstem.NewEnv(word)
	s.fn(env)
	st = env.Current()
	// Keys and values must not pin the review they were cut from.
	key := strings.Clone(word)
	if st == word {
		st = key
	} else {
		st = strings.Clone(st)
	}
	sh.mu.Lock()
	if len(sh.m) >= stemShardMax {
		clear(sh.m)
	}
	sh.m[key] = st
	sh.mu.Unlock()
	return st
}

// VerbStem returns a second stem for a lemma whose Snowball stem differs
// from that of its other forms, or "": Russian infinitives in -овать and
// -евать keep the suffix ("рекомендовать" → "рекомендова") that the
// conjugated forms drop ("рекомендую" → "рекоменд").
func VerbStem(stem, lang string) string {
	if lang != "ru" {
		return ""
	}
	for _, suf := range [...]string{"ова", "ева"} {
		if strings.HasSuffix(stem, suf) && len(stem)-len(suf) >= 8 { // four Cyrillic letters left
			return stem[:len(stem)-len(suf)]
		}
	}
	return ""
}
