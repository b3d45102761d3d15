package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/notaryproject/notation-go/log"
)

// stringList is a repeatable string flag (-m k=v -m k2=v2).
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// commonFlags are accepted by every command that talks to notation-go.
type commonFlags struct {
	verbose bool
	debug   bool
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.verbose, "v", false, "print notation-go info logs to stderr")
	fs.BoolVar(&c.verbose, "verbose", false, "print notation-go info logs to stderr")
	fs.BoolVar(&c.debug, "d", false, "print notation-go debug logs to stderr")
	fs.BoolVar(&c.debug, "debug", false, "print notation-go debug logs to stderr")
}

// withLogger attaches a stderr logger to ctx when -v or -d is given, as the
// notation CLI does with logrus.
func (c *commonFlags) withLogger(ctx context.Context) context.Context {
	switch {
	case c.debug:
		return log.WithLogger(ctx, &stderrLogger{level: levelDebug})
	case c.verbose:
		return log.WithLogger(ctx, &stderrLogger{level: levelInfo})
	default:
		return ctx
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseInterspersed parses flags that may appear before or after the
// positional arguments, like cobra does for the notation CLI, and returns the
// positional arguments in order. Everything after a "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return append(positional, tail...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// exactlyOne returns the single positional argument or a usage error.
func exactlyOne(cmd string, positional []string, what string) (string, error) {
	switch len(positional) {
	case 0:
		return "", usagef("missing %s: use `notation-peer %s --help` to see what parameters are required", what, cmd)
	case 1:
		return positional[0], nil
	default:
		return "", usagef("%s: expected one %s, got %d arguments: %s", cmd, what, len(positional), strings.Join(positional, " "))
	}
}

// parseFlagMap turns k=v pairs into a map with the notation CLI's rules:
// "=" is required and neither key nor value may be empty.
func parseFlagMap(pairs []string, flagName string) (map[string]string, error) {
	m := make(map[string]string, len(pairs))
	for _, pair := range pairs {
		key, val, found := strings.Cut(pair, "=")
		if !found || key == "" || val == "" {
			return nil, usagef("could not parse flag %s: key-value pair requires \"=\" as separator", flagName)
		}
		m[key] = val
	}
	return m, nil
}

// configDirOrEnv returns the flag value, else $NOTATION_CONFIG, else "".
func configDirOrEnv(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv("NOTATION_CONFIG")
}

// warnf prints a notation-style warning line to stderr.
func warnf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "Warning: "+format+"\n", args...)
}
