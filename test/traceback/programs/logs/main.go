// Command logs recovers panics and logs them with their stacks through zap and logrus, the way
// services ship them (JSON with escaped stacks, logrus text with quoted stacks).
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
)

type order struct{ lines map[string]int }

func (o *order) add(sku string) { o.lines[sku]++ }

func handle(report func(v any)) {
	defer func() {
		if v := recover(); v != nil {
			report(v)
		}
	}()
	o := &order{}
	o.add("sku-1")
}

// auditHook counts entries per level in a map it never made.
type auditHook struct{ seen map[logrus.Level]int }

func (h *auditHook) Levels() []logrus.Level { return logrus.AllLevels }

func (h *auditHook) Fire(e *logrus.Entry) error {
	h.seen[e.Level]++
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: logs zap|zap-auto|logrus-json|logrus-text|logrus-hook")
		os.Exit(64)
	}
	switch os.Args[1] {
	case "zap": // explicit stack field
		logger, _ := zap.NewProduction(zap.ErrorOutput(os.Stderr))
		logger.Info("starting", zap.String("service", "orders"))
		handle(func(v any) {
			logger.Error("panic recovered", zap.Any("panic", v), zap.Stack("stack"))
		})
		logger.Info("still serving")
		logger.Sync()
	case "zap-auto": // zap's production config adds `stacktrace` to every error log
		logger, _ := zap.NewProduction()
		handle(func(v any) {
			logger.Error("recovered from panic", zap.String("error", fmt.Sprint(v)))
		})
		logger.Error("upstream timeout", zap.String("upstream", "payments"))
		logger.Sync()
	case "logrus-json":
		logrus.SetFormatter(&logrus.JSONFormatter{})
		logrus.Info("starting")
		handle(func(v any) {
			logrus.WithField("panic", v).WithField("stack", string(debug.Stack())).Error("recovered")
		})
	case "logrus-hook": // a hook that crashes inside logrus: dependency frames in the trace
		logrus.AddHook(&auditHook{})
		logrus.Info("order placed")
	case "logrus-text":
		logrus.SetFormatter(&logrus.TextFormatter{DisableColors: true})
		logrus.Info("starting")
		handle(func(v any) {
			logrus.WithField("panic", v).WithField("stack", string(debug.Stack())).Error("recovered")
		})
	}
}
