// Package cli implements the vigie command: one function per subcommand,
// and the wiring of configuration, index, connectors and pipeline they
// share.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/vigie-dev/vigie/config"
	"github.com/vigie-dev/vigie/connectors"
	_ "github.com/vigie-dev/vigie/connectors/all" // every source kind
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and something failed
	exitUsage   = 2 // bad command line or configuration
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // the line after "vigie "
	run     func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error
}

// Env is what a command runs with: its streams and its registry.
type Env struct {
	Stdout, Stderr io.Writer
	Registry       *connectors.Registry
	// Getenv and LookupEnv read the environment (tests replace them).
	LookupEnv func(string) (string, bool)
}

func commands() []command {
	return []command{
		crawlCommand,
		serveCommand,
		sourcesCommand,
		reindexCommand,
		checkCommand,
		alertsCommand,
		searchCommand,
		extractCommand,
		evalCommand,
		trainCommand,
		benchCommand,
		demoCommand,
		versionCommand,
	}
}

// Main runs the vigie command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Stdout: stdout, Stderr: stderr, Registry: connectors.Default, LookupEnv: os.LookupEnv}
	return Run(ctx, env, args)
}

// Run dispatches args to a subcommand.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			return Run(ctx, env, []string{args[1], "--help"})
		}
		printHelp(env.Stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, newFlags(env, c), args[1:])
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case isUsage(err):
			fmt.Fprintf(env.Stderr, "vigie %s: %v\n", c.name, err)
			return exitUsage
		default:
			fmt.Fprintf(env.Stderr, "vigie %s: %v\n", c.name, err)
			return exitFailure
		}
	}
	fmt.Fprintf(env.Stderr, "vigie: unknown command %q\n\n", args[0])
	printHelp(env.Stderr)
	return exitUsage
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `Vigie keeps watch over what customers say about a brand's locations.

Usage: vigie <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "vigie <command> --help" for a command's flags.
Start with "vigie demo": it crawls a bundled demo site and shows what to try next.
`)
}

// usageError marks errors that are the user's command line or
// configuration: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func isUsage(err error) bool {
	var u usageError
	var fe *config.FieldError
	return errors.As(err, &u) || errors.As(err, &fe)
}

// newFlags makes a flag set whose --help prints the command's usage.
func newFlags(env *Env, c command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: vigie %s\n\n%s\n", c.usage, c.summary)
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if len(names) > 0 {
			fmt.Fprintln(out, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses flags and positional arguments in any order, so that
// `vigie search "late order" --json` works as well as the reverse.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(os.Stdout)
				return nil, err
			}
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// listFlag collects a flag given several times or with commas.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// loadConfig loads the configuration named by --config.
func loadConfig(env *Env, path string) (*config.Config, error) {
	if path == "" {
		return nil, usagef("--config FILE is required (run `vigie demo` to get one)")
	}
	c, err := config.Load(path, env.Registry)
	if err != nil {
		var fe *config.FieldError
		if errors.As(err, &fe) || errors.Is(err, os.ErrNotExist) {
			return nil, usageError{err}
		}
		return nil, err
	}
	return c, nil
}

// newLogger builds the process logger from the configuration.
func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// isTerminal reports whether w is a terminal, to decide on colours.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
