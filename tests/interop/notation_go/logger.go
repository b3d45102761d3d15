package main

import (
	"fmt"
	"os"
	"strings"
)

type logLevel int

const (
	levelDebug logLevel = iota
	levelInfo
)

// stderrLogger implements notation-go's log.Logger with plain stderr lines
// ("DEBU ...", "INFO ...", "WARN ...", "ERRO ..."), like the CLI's logrus
// output.
type stderrLogger struct{ level logLevel }

func (l *stderrLogger) emit(min logLevel, tag, msg string) {
	if l.level > min {
		return
	}
	fmt.Fprintf(os.Stderr, "%s %s\n", tag, strings.TrimRight(msg, "\n"))
}

func (l *stderrLogger) Debug(args ...any) { l.emit(levelDebug, "DEBU", fmt.Sprint(args...)) }
func (l *stderrLogger) Debugf(format string, args ...any) {
	l.emit(levelDebug, "DEBU", fmt.Sprintf(format, args...))
}
func (l *stderrLogger) Debugln(args ...any) { l.emit(levelDebug, "DEBU", fmt.Sprintln(args...)) }
func (l *stderrLogger) Info(args ...any)    { l.emit(levelInfo, "INFO", fmt.Sprint(args...)) }
func (l *stderrLogger) Infof(format string, args ...any) {
	l.emit(levelInfo, "INFO", fmt.Sprintf(format, args...))
}
func (l *stderrLogger) Infoln(args ...any) { l.emit(levelInfo, "INFO", fmt.Sprintln(args...)) }

// Warnings and errors are always printed once a logger is attached.
func (l *stderrLogger) Warn(args ...any) { l.emit(levelInfo, "WARN", fmt.Sprint(args...)) }
func (l *stderrLogger) Warnf(format string, args ...any) {
	l.emit(levelInfo, "WARN", fmt.Sprintf(format, args...))
}
func (l *stderrLogger) Warnln(args ...any) { l.emit(levelInfo, "WARN", fmt.Sprintln(args...)) }
func (l *stderrLogger) Error(args ...any)  { l.emit(levelInfo, "ERRO", fmt.Sprint(args...)) }
func (l *stderrLogger) Errorf(format string, args ...any) {
	l.emit(levelInfo, "ERRO", fmt.Sprintf(format, args...))
}
func (l *stderrLogger) Errorln(args ...any) { l.emit(levelInfo, "ERRO", fmt.Sprintln(args...)) }
