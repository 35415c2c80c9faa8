package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/admin"
	"github.com/dyad-survey/dyad/internal/httpapi"
	"github.com/dyad-survey/dyad/internal/metrics"
	httpserver "github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/dyad-survey/dyad/internal/web"
	"github.com/gin-gonic/gin"
)

// serveConfig is everything `dyad serve` is told, from flags or the
// environment (flags win).
type serveConfig struct {
	Addr       string
	DB         string
	KeyFile    string // the invitation key, apart from the database (invitationkey.go); "" is defaultKeyFile(DB)
	PublicURL  string
	AdminToken string // DYAD_ADMIN_TOKEN only: a flag would show in ps
	// RateLimit is requests per second per client address; 0 is off.
	RateLimit      float64
	TrustedProxies []string
	// AbandonedAfter is how long a response in progress is kept without
	// a save before the sweep deletes it (abandoned.go); 0 keeps them.
	AbandonedAfter time.Duration
	// SMTPURL is the relay for participants' e-mails (DYAD_SMTP_URL only:
	// it may hold a password); "" sends none, the outbox waits.
	SMTPURL string
	// SMTPRate is the most e-mails sent per minute.
	SMTPRate int
	// ClockOffset shifts the service's clock (DYAD_CLOCK_OFFSET), for
	// rehearsing a mailing's schedule; never set in production.
	ClockOffset time.Duration
	// AuditClientAddr stores the researcher's client address in each audit
	// row; off by default (docs/security.md, "Audit trail").
	AuditClientAddr bool
}

// defaultRateLimit allows a person paging quickly through a form, and
// several dozen physicians behind one hospital or conference address.
const defaultRateLimit = 20

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	cfg := serveConfig{Addr: ":8080", DB: "dyad.db", RateLimit: defaultRateLimit, AbandonedAfter: survey.DefaultAbandonedAfter}
	if v := getenv("DYAD_ADDR"); v != "" {
		cfg.Addr = v
	}
	if v := getenv("DYAD_DB"); v != "" {
		cfg.DB = v
	}
	cfg.KeyFile = getenv("DYAD_KEY_FILE")
	cfg.PublicURL = getenv("DYAD_PUBLIC_URL")
	cfg.AdminToken = getenv("DYAD_ADMIN_TOKEN")
	if v := getenv("DYAD_RATE_LIMIT"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return cfg, fmt.Errorf("DYAD_RATE_LIMIT must be a number of requests per second (0 turns it off), got %q", v)
		}
		cfg.RateLimit = f
	}
	if v := getenv("DYAD_ABANDONED_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return cfg, fmt.Errorf("DYAD_ABANDONED_AFTER must be a duration such as 2160h (90 days; 0 keeps responses in progress for ever), got %q", v)
		}
		cfg.AbandonedAfter = d
	}
	cfg.SMTPURL = getenv("DYAD_SMTP_URL")
	cfg.SMTPRate = defaultSMTPRate
	if v := getenv("DYAD_SMTP_RATE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100_000 {
			return cfg, fmt.Errorf("DYAD_SMTP_RATE must be e-mails per minute, 1 to 100000, got %q", v)
		}
		cfg.SMTPRate = n
	}
	if v := getenv("DYAD_CLOCK_OFFSET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return cfg, fmt.Errorf("DYAD_CLOCK_OFFSET must be a duration such as 168h, got %q", v)
		}
		cfg.ClockOffset = d
	}
	if cfg.AdminToken != "" {
		if err := checkAdminToken(cfg.AdminToken); err != nil {
			return cfg, err
		}
	}
	if v := getenv("DYAD_AUDIT_CLIENT_ADDR"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return cfg, fmt.Errorf("DYAD_AUDIT_CLIENT_ADDR must be true or false, got %q", v)
		}
		cfg.AuditClientAddr = b
	}
	proxies := getenv("DYAD_TRUSTED_PROXIES")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (env DYAD_ADDR)")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite database file, created if missing, or a postgres:// URL of an existing PostgreSQL database (env DYAD_DB)")
	fs.StringVar(&cfg.KeyFile, "key-file", cfg.KeyFile, "file holding the key that hashes invitation codes, created 0600 if missing; keep it apart from database backups (env DYAD_KEY_FILE; default the database path + .key, or dyad.key with a PostgreSQL URL)")
	fs.StringVar(&cfg.PublicURL, "public-url", cfg.PublicURL, "base URL respondents use, e.g. https://survey.example.org (env DYAD_PUBLIC_URL; default http://localhost:PORT)")
	fs.Float64Var(&cfg.RateLimit, "rate-limit", cfg.RateLimit, "requests per second per client address, 0 = off (env DYAD_RATE_LIMIT)")
	fs.DurationVar(&cfg.AbandonedAfter, "abandoned-after", cfg.AbandonedAfter, "delete responses in progress not saved for this long, releasing their invitation codes; 0 = keep (env DYAD_ABANDONED_AFTER)")
	fs.IntVar(&cfg.SMTPRate, "smtp-rate", cfg.SMTPRate, "most e-mails sent per minute through DYAD_SMTP_URL (env DYAD_SMTP_RATE)")
	fs.BoolVar(&cfg.AuditClientAddr, "audit-client-addr", cfg.AuditClientAddr, "store researchers' client addresses in the audit trail (env DYAD_AUDIT_CLIENT_ADDR; respondents' are never stored)")
	fs.StringVar(&proxies, "trusted-proxies", proxies, "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (env DYAD_TRUSTED_PROXIES)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.RateLimit < 0 {
		return cfg, fmt.Errorf("--rate-limit must not be negative")
	}
	if cfg.AbandonedAfter < 0 {
		return cfg, fmt.Errorf("--abandoned-after must not be negative")
	}
	if cfg.SMTPRate < 1 {
		return cfg, fmt.Errorf("--smtp-rate must be at least 1")
	}
	for _, p := range strings.Split(proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return cfg, fmt.Errorf("--trusted-proxies: %q is not an IP address or CIDR range", p)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, p)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, nil
}

// Rules for a researcher token chosen in DYAD_ADMIN_TOKEN. The token
// guards every response and the backups, and is the only credential, so a
// short or patterned one would be the weakest point. At least 32
// characters holds 128 bits when random hex (openssl rand -hex 16), about
// 190 as base64 (openssl rand -base64 24), and even a passphrase of that
// length is well beyond the roughly 14,000 guesses a day per client that
// the failed-authentication limit allows (httpserver.AuthGuard). Length alone
// admits "aaaa…" or "abababab…", hence also at least 8 different
// characters: 32 random hex digits have about 14 on average, and fewer
// than 8 by chance about once in a million. The generated token (52
// base32 characters, 256 bits) meets both rules.
const (
	minAdminTokenLength   = 32
	minAdminTokenDistinct = 8
)

// checkAdminToken says why a chosen researcher token is too weak, or
// returns nil.
func checkAdminToken(tok string) error {
	const how = "; choose a long random one, such as the output of: openssl rand -base64 32"
	if n := utf8.RuneCountInString(tok); n < minAdminTokenLength {
		return fmt.Errorf("DYAD_ADMIN_TOKEN is %d characters long; it must be at least %d%s", n, minAdminTokenLength, how)
	}
	distinct := map[rune]bool{}
	for _, r := range tok {
		distinct[r] = true
	}
	if len(distinct) < minAdminTokenDistinct {
		return fmt.Errorf("DYAD_ADMIN_TOKEN uses only %d different characters; it must use at least %d%s", len(distinct), minAdminTokenDistinct, how)
	}
	return nil
}

// newLogger logs text to a terminal and JSON otherwise; records logged
// with a request's context carry its request id (httpserver.NewLogHandler).
func newLogger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return slog.New(httpserver.NewLogHandler(slog.NewTextHandler(w, nil)))
		}
	}
	return slog.New(httpserver.NewLogHandler(slog.NewJSONHandler(w, nil)))
}

// The GC policy of `dyad serve` (docs/performance.md, "GC target").
const (
	serveGCPercent   = 400
	serveMemoryLimit = 80 << 20
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseServe(args, getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "dyad serve: %v\n", err)
		return 2
	}
	if os.Getenv("GOGC") == "" {
		// The live heap is small (the caches and a few MB of in-flight
		// requests: 7-8 MB under 64 web respondents), so a GC target of
		// four times the default costs little memory and saves CPU on
		// both respondent paths (docs/performance.md, "GC target").
		// GOGC set in the environment wins.
		debug.SetGCPercent(serveGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// The target above grows with the live heap; the soft limit caps
		// the Go runtime's memory when the live heap grows (bigger caches,
		// a workbook download), by collecting more often instead, so the
		// process (about 45 MB more: SQLite's page caches, the binary)
		// stays under 150 MB. GOMEMLIMIT set in the environment wins.
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	log := newLogger(stderr)
	slog.SetDefault(log) // errors logged outside a handler's logger land in the same stream, with the request id
	if err := serve(ctx, cfg, log, stdout); err != nil {
		log.Error("dyad serve stopped", "error", err)
		return 1
	}
	return 0
}

// serve runs the service until ctx is cancelled, then drains: the listener
// stops accepting, in-flight requests finish, and the database closes last.
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger, stdout io.Writer) error {
	// Listen before anything slow, so that a taken port fails at once.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()

	m := metrics.New()
	st, err := store.Open(ctx, cfg.DB, store.Options{ObserveBatch: m.ObserveBatch})
	if err != nil {
		return err
	}
	if sr, ok := st.(store.SizeReporter); ok {
		m.ReportDatabaseSize(sr.Size)
	}
	var backup func(context.Context, string) error // nil: the API answers that backups are not offered
	if b, ok := st.(survey.Backuper); ok {
		backup = b.Backup
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close database", "error", err)
		}
	}()
	if cfg.KeyFile == "" {
		cfg.KeyFile = defaultKeyFile(cfg.DB)
	}
	invKey, err := invitationKey(ctx, st, cfg.KeyFile)
	if err != nil {
		return err
	}
	svc := survey.NewService(st, survey.WithInvitationKey(invKey))
	if cfg.ClockOffset != 0 {
		svc.Now = func() time.Time { return time.Now().Add(cfg.ClockOffset) }
		log.Warn("the service's clock is shifted (DYAD_CLOCK_OFFSET): for rehearsing mailings only", "offset", cfg.ClockOffset.String())
	}

	tokenHash, newToken, err := researcherToken(ctx, st, cfg.AdminToken)
	if err != nil {
		return err
	}
	seeded, err := seed(ctx, svc, st)
	if err != nil {
		return err
	}
	base := cfg.PublicURL
	if base == "" {
		base = localURL(ln.Addr())
	}
	base = strings.TrimRight(base, "/")

	csrfKey, err := webKey(ctx, st)
	if err != nil {
		return err
	}
	handler := newHandler(cfg, st, svc, backup, tokenHash, csrfKey, m, log)
	srv := &http.Server{
		Handler:           handler, // HEAD is answered as GET (httpserver.AnswerHEAD)
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	fmt.Fprintf(stdout, "Dyad is running at %s (database %s)\n", base, store.Describe(cfg.DB)) // never the password
	fmt.Fprintf(stdout, "Invitation key: %s (back it up apart from the database; codes cannot be checked without it)\n", cfg.KeyFile)
	if newToken != "" {
		fmt.Fprintf(stdout, "\nResearcher token (shown once, only its hash is stored; keep it now):\n  %s\n", newToken)
	} else if cfg.AdminToken != "" {
		fmt.Fprintln(stdout, "Researcher token: from DYAD_ADMIN_TOKEN")
	} else {
		fmt.Fprintln(stdout, "Researcher token: the one printed on first start (set DYAD_ADMIN_TOKEN to replace it)")
	}
	if seeded != nil {
		fmt.Fprintf(stdout, "\nStudy survey %q:\n  %s/s/%s\n", seeded.Title, base, seeded.ID)
	}
	fmt.Fprintf(stdout, "\nResearcher dashboard (sign in with the token):\n  %s/admin\n", base)
	fmt.Fprintln(stdout)

	// Stopped before the store closes (defers run last first).
	stopSweep := startSweep(ctx, svc, cfg.AbandonedAfter, sweepEvery, m.AbandonedDeleted, log)
	defer stopSweep()
	stopMail, err := startMail(ctx, svc, cfg, base, m.MailAttempt, log)
	if err != nil {
		return err
	}
	defer stopMail()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// localURL turns a listen address into a URL a person on this machine can
// open: ":8080" and "0.0.0.0:8080" become http://localhost:8080.
func localURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// newHandler wires the modules into the server: the whole of the HTTP
// service, as serve runs it and as the authorization matrix test walks it.
func newHandler(cfg serveConfig, st store.DB, svc *survey.Service, backup func(context.Context, string) error,
	tokenHash, csrfKey []byte, m *metrics.Metrics, log *slog.Logger) *httpserver.Server {
	// The dashboard serves the export files with the API's own handlers,
	// behind its session instead of the bearer token.
	var downloads []admin.Download
	for _, e := range httpapi.ExportFiles(httpapi.Config{Service: svc, Responses: st}) {
		downloads = append(downloads, admin.Download{Name: e.Name, Handler: e.Handler})
	}
	// The dashboard's previews are the respondent pages' own.
	pages := web.New(web.Config{Service: svc, Key: csrfKey})
	preview := func(c *gin.Context, r admin.PreviewRequest) { pages.Preview(c, web.PreviewRequest(r)) }
	return httpserver.New(httpserver.Config{
		Modules: []httpserver.Module{
			httpapi.New(httpapi.Config{Service: svc, Ready: st.Ping, Backup: backup, Responses: st, Accounts: st}),
			pages,
			admin.New(admin.Config{Service: svc, Responses: st, Sessions: st, Key: csrfKey, Downloads: downloads,
				Accounts: st, Audit: st, Preview: preview}),
		},
		Logger: log, PublicURL: cfg.PublicURL, TokenHash: tokenHash, Accounts: st, Audit: st, AuthFailures: st, Studies: st, AuditClientAddr: cfg.AuditClientAddr,
		RateLimit: cfg.RateLimit, TrustedProxies: cfg.TrustedProxies, Metrics: m,
	})
}
