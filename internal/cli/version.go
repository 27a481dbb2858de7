package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = "dev"

var versionCommand = command{
	name:    "version",
	summary: "Print Vigie's version.",
	usage:   "version",
	run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
		if _, err := parse(fs, args); err != nil {
			return err
		}
		v := Version
		if info, ok := debug.ReadBuildInfo(); ok && v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		fmt.Fprintf(env.Stdout, "vigie %s\n", v)
		return nil
	},
}
