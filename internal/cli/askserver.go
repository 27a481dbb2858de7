package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vigie-dev/vigie/config"
)

// askServer reads path from the Vigie that holds cfg's data folder, on
// its server.addr (with the first token, if any), into out: what commands
// do when `vigie serve` or `vigie demo` has the state store. It returns
// the address asked, for messages.
func askServer(ctx context.Context, cfg *config.Config, path string, out any) (string, error) {
	host, port, err := net.SplitHostPort(cfg.Server.Addr)
	if err != nil {
		return cfg.Server.Addr, err
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + path
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return url, err
	}
	if len(cfg.Server.Tokens) > 0 {
		req.Header.Set("Authorization", "Bearer "+cfg.Server.Tokens[0])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return url, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return url, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	return url, json.NewDecoder(resp.Body).Decode(out)
}
