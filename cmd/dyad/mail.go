package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/dyad-survey/dyad/internal/mail"
	"github.com/dyad-survey/dyad/internal/survey"
)

// defaultSMTPRate keeps a mailing of a few thousand within an hour and
// well under the limits shared relays set (often 100 to 500 a minute).
const defaultSMTPRate = 60

// startMail starts the sender of participants' e-mails and the mailing
// schedules (internal/mail) when DYAD_SMTP_URL is set; without it,
// messages wait in the outbox. It returns the function that stops the
// loop and waits for a message in flight, so that the store closes after
// it.
func startMail(ctx context.Context, svc *survey.Service, cfg serveConfig, base string, observe func(string), log *slog.Logger) (stop func(), err error) {
	if cfg.SMTPURL == "" {
		log.Info("no DYAD_SMTP_URL: participants' e-mails wait in the outbox")
		return func() {}, nil
	}
	relay, err := mail.ParseURL(cfg.SMTPURL)
	if err != nil {
		return nil, fmt.Errorf("DYAD_SMTP_URL: %w", err)
	}
	sender, err := mail.NewSender(relay)
	if err != nil {
		return nil, err
	}
	loop := &mail.Loop{Service: svc, Sender: sender, BaseURL: base, PerMinute: cfg.SMTPRate, Log: log, Observe: observe}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { loop.Run(ctx) })
	log.Info("sending participants' e-mails", "relay", relay.Host, "per_minute", cfg.SMTPRate) // never the password
	return func() { cancel(); wg.Wait() }, nil
}
