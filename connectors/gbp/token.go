package gbp

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vigie-dev/vigie/connectors/fetch"
)

// expiryMargin is how long before its announced expiry a cached access
// token stops being used, so that it does not expire in flight.
const expiryMargin = time.Minute

// defaultLifetime is assumed when the token endpoint does not say how long
// a token lives (Google's live an hour).
const defaultLifetime = 30 * time.Minute

// tokens caches access tokens across runs and sources of the process: the
// locations of one brand usually share one Google account and one refresh
// token, and a refresh per location and run would be wasted. Entries are
// keyed by a hash of the token URL and the credentials.
var tokens = &tokenCache{entries: map[string]*tokenEntry{}}

type tokenCache struct {
	mu      sync.Mutex
	entries map[string]*tokenEntry
}

// tokenEntry holds one credential's access token. Its mutex is held during
// a refresh, so that concurrent sources wait for one refresh instead of
// each making its own.
type tokenEntry struct {
	mu     sync.Mutex
	token  string
	expiry time.Time
}

func (c *tokenCache) entry(key string) *tokenEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		e = &tokenEntry{}
		c.entries[key] = e
	}
	return e
}

// tokenSource gets access tokens for one source's credentials.
type tokenSource struct {
	client *fetch.Client
	params *Params
	now    func() time.Time
}

func (s *tokenSource) key() string {
	h := sha256.New()
	for _, v := range []string{s.params.TokenURL, s.params.ClientID, s.params.ClientSecret, s.params.RefreshToken} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return string(h.Sum(nil))
}

// get returns a cached access token that is still valid, or a fresh one.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	e := tokens.entry(s.key())
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.token != "" && s.now().Before(e.expiry) {
		return e.token, nil
	}
	tok, lifetime, err := s.refresh(ctx)
	if err != nil {
		return "", err
	}
	e.token = tok
	e.expiry = s.now().Add(max(lifetime-expiryMargin, lifetime/2))
	return tok, nil
}

// invalidate drops tok from the cache, after the API refused it; a token
// another source refreshed meanwhile stays.
func (s *tokenSource) invalidate(tok string) {
	e := tokens.entry(s.key())
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.token == tok {
		e.token = ""
	}
}

// tokenResponse is the token endpoint's answer (RFC 6749 §5.1, §5.2).
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        *int64 `json:"expires_in"`
	TokenType        string `json:"token_type"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// refresh makes the refresh-token grant (RFC 6749 §6): one form POST with
// the client credentials. The error never quotes the secrets.
func (s *tokenSource) refresh(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{}
	form.Set("grant_type", "refresh_token")
	form.Set("refresh_token", s.params.RefreshToken)
	form.Set("client_id", s.params.ClientID)
	form.Set("client_secret", s.params.ClientSecret)
	header := http.Header{}
	header.Set("Content-Type", "application/x-www-form-urlencoded")
	header.Set("Accept", "application/json")
	resp, err := s.client.Do(ctx, &fetch.Request{
		Method:     http.MethodPost,
		URL:        s.params.TokenURL,
		Header:     header,
		Body:       []byte(form.Encode()),
		Idempotent: true,
	})
	fail := func(format string, args ...any) (string, time.Duration, error) {
		return "", 0, fmt.Errorf("refreshing the access token: "+format, args...)
	}
	if err != nil {
		var tr tokenResponse
		if resp != nil && json.Unmarshal(resp.Body, &tr) == nil && tr.Error != "" {
			msg := tr.Error
			if tr.ErrorDescription != "" {
				msg += ": " + tr.ErrorDescription
			}
			return fail("%w: %s%s", err, msg, tokenHint(tr.Error))
		}
		return fail("%w%s", err, bodySnippet(resp))
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.Body, &tr); err != nil {
		return fail("POST %s: the answer is not a token response: %v", s.params.TokenURL, err)
	}
	if tr.AccessToken == "" {
		return fail("POST %s: the answer holds no access_token", s.params.TokenURL)
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return fail("POST %s: token type %q, not Bearer", s.params.TokenURL, tr.TokenType)
	}
	lifetime := defaultLifetime
	if tr.ExpiresIn != nil && *tr.ExpiresIn > 0 {
		lifetime = time.Duration(*tr.ExpiresIn) * time.Second
	}
	return tr.AccessToken, lifetime, nil
}

// tokenHint says what to do about a token endpoint error code.
func tokenHint(code string) string {
	switch code {
	case "invalid_grant":
		return " (the refresh token is expired or revoked: authorise Vigie again with the Google account that manages the location and update refresh_token; tokens of an OAuth app in \"Testing\" status expire after 7 days)"
	case "invalid_client", "unauthorized_client":
		return " (check client_id and client_secret: they must be the OAuth client the refresh token was issued to)"
	}
	return ""
}
