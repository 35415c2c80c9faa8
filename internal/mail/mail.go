// Package mail delivers the outbox's messages through an SMTP relay
// (github.com/wneessen/go-mail), at a configured rate, and runs the
// mailing schedules. The decisions (who gets what, when to retry, what a
// bounce means) are survey.Service's; this package only talks SMTP and
// keeps time.
//
// Delivery is at least once: a message is marked sent after the relay
// accepted it, so a crash in between sends it again, after its claim's
// lease (survey.MessageLease), with the same Message-ID.
//
// Several instances on one database may each run a Loop: a message is
// claimed before it is sent (Store.ClaimMessage), so two never send it at
// once; each instance keeps its own rate, so the relay sees their sum.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	gomail "github.com/wneessen/go-mail"
)

// Relay is an SMTP relay as configured by DYAD_SMTP_URL:
// smtp://user:password@host:port?tls=starttls|tls|none&from=address.
// tls=starttls (the default) requires STARTTLS, tls=tls is implicit TLS
// (port 465), tls=none sends in the clear (a relay on loopback only).
type Relay struct {
	Host     string
	Port     int
	TLS      string
	Username string
	Password string
	From     string
}

// ParseURL reads a relay URL. Errors never repeat the URL: it may hold a
// password.
func ParseURL(s string) (*Relay, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, errors.New("the SMTP URL must look like smtp://user:password@host:587?tls=starttls&from=surveys@example.org")
	}
	r := &Relay{Host: u.Hostname(), TLS: u.Query().Get("tls"), From: u.Query().Get("from")}
	if r.TLS == "" {
		r.TLS = "starttls"
	}
	switch r.TLS {
	case "starttls":
		r.Port = 587
	case "tls":
		r.Port = 465
	case "none":
		r.Port = 25
	default:
		return nil, fmt.Errorf("the SMTP URL's tls must be starttls, tls or none, not %q", r.TLS)
	}
	if p := u.Port(); p != "" {
		if r.Port, err = strconv.Atoi(p); err != nil || r.Port < 1 || r.Port > 65535 {
			return nil, errors.New("the SMTP URL's port is not a port number")
		}
	}
	if u.User != nil {
		r.Username = u.User.Username()
		r.Password, _ = u.User.Password()
	}
	if a, err := netmail.ParseAddress(r.From); err != nil || a.Address != r.From {
		return nil, errors.New("the SMTP URL needs the sender's bare address: add ?from=surveys@example.org")
	}
	return r, nil
}

// Error is a refused delivery: Permanent when the relay refused the
// recipient with a 5xx answer (the address bounced), temporary otherwise
// (4xx, no connection, a timeout, and a 5xx to anything but the recipient,
// such as a login the relay wants: a relay's setting, not the address, so
// the message waits to be tried again rather than bounce the participant).
type Error struct {
	Permanent bool
	// Code is the relay's SMTP reply code; 0 when there was no reply (no
	// connection, a timeout).
	Code   int
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// Sender sends one message per SMTP connection through a relay.
type Sender struct {
	relay *Relay
	opts  []gomail.Option
}

// NewSender returns a Sender for the relay.
func NewSender(r *Relay) (*Sender, error) {
	opts := []gomail.Option{gomail.WithPort(r.Port), gomail.WithTimeout(30 * time.Second)}
	switch r.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if r.Username != "" {
		// The strongest mechanism the relay offers; without TLS (a relay
		// on loopback) go-mail offers no mechanism by itself, so PLAIN is
		// asked for explicitly there.
		auth := gomail.SMTPAuthAutoDiscover
		if r.TLS == "none" {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(r.Username), gomail.WithPassword(r.Password))
	}
	if _, err := gomail.NewClient(r.Host, opts...); err != nil {
		return nil, fmt.Errorf("SMTP relay: %w", err)
	}
	return &Sender{relay: r, opts: opts}, nil
}

// Send delivers one message; a refusal is an *Error.
func (s *Sender) Send(ctx context.Context, m *survey.RenderedMessage) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.relay.From); err != nil {
		return &Error{Permanent: false, Reason: "the sender's address is not valid"}
	}
	if err := msg.To(m.To); err != nil {
		return &Error{Permanent: true, Reason: "the recipient's address is not valid"}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	if m.OptOutURL != "" {
		// RFC 8058 one-click unsubscribe: mail clients POST to the URL.
		msg.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+m.OptOutURL+">")
		msg.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := gomail.NewClient(s.relay.Host, s.opts...)
	if err != nil {
		return &Error{Reason: err.Error()}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

// classify turns go-mail's error into an *Error: a 5xx reply to RCPT TO
// is permanent, anything else temporary.
func classify(err error) *Error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		permanent := code >= 500 && code < 600 && !se.IsTemp() && se.Reason == gomail.ErrSMTPRcptTo
		return &Error{Permanent: permanent, Code: code, Reason: oneLine(se.Error())}
	}
	return &Error{Reason: oneLine(err.Error())}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Loop runs the schedules and sends due messages at a rate.
type Loop struct {
	Service *survey.Service
	Sender  interface {
		Send(ctx context.Context, m *survey.RenderedMessage) error
	}
	// BaseURL is where respondents reach the server (links in messages).
	BaseURL string
	// PerMinute is the most messages sent per minute; 0 means 60.
	PerMinute int
	// Poll is how often to look for due messages when none is; 0 means 5 s.
	Poll time.Duration
	// ScheduleEvery is how often the schedules run; 0 means a minute.
	ScheduleEvery time.Duration
	Log           *slog.Logger
	// Observe, when set, is told each attempt's result: sent, retry,
	// bounced or failed (the metrics).
	Observe func(result string)
}

// Step sends at most one due message and reports whether there was one.
// Errors from the relay are recorded on the message, not returned; only a
// failure of the store is.
func (l *Loop) Step(ctx context.Context) (bool, error) {
	m, err := l.Service.NextMessage(ctx, l.BaseURL)
	if err != nil || m == nil {
		return false, err
	}
	err = l.Sender.Send(ctx, m)
	// The outcome is recorded even when ctx ends meanwhile (a shutdown):
	// a message the relay accepted but not marked would be sent again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err != nil {
		var me *Error
		if !errors.As(err, &me) {
			me = &Error{Reason: err.Error()}
		}
		// Logged by the message id and the reply code only: a relay's
		// reason often repeats the address, which stays out of the log
		// (it is kept with the message, for the researcher).
		l.log().Warn("message not delivered", "message", m.ID, "permanent", me.Permanent, "smtp_code", me.Code)
		switch {
		case me.Permanent:
			l.observe("bounced")
		case m.Attempts+1 >= survey.MaxAttempts:
			l.observe("failed")
		default:
			l.observe("retry")
		}
		return true, l.Service.MessageFailed(ctx, m.ID, m.Attempts, me.Permanent, me.Reason)
	}
	l.observe("sent")
	return true, l.Service.MessageSent(ctx, m.ID)
}

func (l *Loop) observe(result string) {
	if l.Observe != nil {
		l.Observe(result)
	}
}

func (l *Loop) log() *slog.Logger {
	if l.Log == nil {
		return slog.Default()
	}
	return l.Log
}

// Run runs the schedules every ScheduleEvery and sends due messages, one
// per 1/PerMinute of a minute, until ctx is done.
func (l *Loop) Run(ctx context.Context) {
	rate := l.PerMinute
	if rate <= 0 {
		rate = 60
	}
	gap := time.Minute / time.Duration(rate)
	poll := cmp(l.Poll, 5*time.Second)
	every := cmp(l.ScheduleEvery, time.Minute)
	var lastSchedule time.Time
	for {
		if time.Since(lastSchedule) >= every {
			lastSchedule = time.Now()
			if n, err := l.Service.RunSchedules(ctx); err != nil {
				l.log().Error("mailing schedules", "error", err)
			} else if n > 0 {
				l.log().Info("mailing schedules queued messages", "messages", n)
			}
		}
		sent, err := l.Step(ctx)
		if err != nil {
			l.log().Error("send messages", "error", err)
		}
		wait := gap
		if !sent || err != nil {
			wait = max(gap, poll)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func cmp(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
