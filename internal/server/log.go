package server

import (
	"context"
	"log/slog"
)

// requestIDAttr is the name of the request id in log records: the one
// place it is written.
const requestIDAttr = "request_id"

// logHandler adds the request id of the record's context to every record,
// so that no caller names it: a handler logs with
// log.ErrorContext(c.Request.Context(), ...) and the line can be matched
// with the access log line and the X-Request-ID the client saw.
type logHandler struct{ next slog.Handler }

// NewLogHandler wraps h so that records logged with a request's context
// carry its request id. New wraps its logger with it; cmd/dyad wraps the
// default logger too, for code that logs through slog's package functions.
func NewLogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(*logHandler); ok {
		return h
	}
	return &logHandler{next: h}
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := RequestID(ctx); id != "" {
			r.AddAttrs(slog.String(requestIDAttr, id))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{next: h.next.WithAttrs(as)}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{next: h.next.WithGroup(name)}
}
