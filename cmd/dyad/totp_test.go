package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestTOTPSignIn: an account turns on two-step sign-in with a code from
// its app and its password; signing in then needs the code (without it,
// the same answer as a wrong password), and a code works once; turned
// off, it is not asked.
func TestTOTPSignIn(t *testing.T) {
	tm := newTeam(t)
	srv := httptest.NewServer(tm.handler)
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	b.signIn("analyst@example.org", teamPassword)
	page := b.send("GET", "/admin/totp", nil, "")
	m := regexp.MustCompile(`<code id="totp-secret">([A-Z2-7]+)</code>`).FindStringSubmatch(page.body)
	if page.status != 200 || m == nil {
		t.Fatalf("TOTP page: %d\n%.2000s", page.status, page.body)
	}
	secret := m[1]
	turn := func(action, code, password string) int {
		form := url.Values{"_csrf": {b.csrf("/admin/totp")}, "action": {action}, "secret": {secret}, "code": {code}, "password": {password}}
		return b.send("POST", "/admin/totp", form, "").status
	}
	if st := turn("on", "000000", teamPassword); st != http.StatusUnprocessableEntity {
		t.Errorf("a wrong code: %d, want 422", st)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	if st := turn("on", code, "not the password"); st != http.StatusUnauthorized {
		t.Errorf("without the password: %d, want 401", st)
	}
	if st := turn("on", code, teamPassword); st != http.StatusSeeOther {
		t.Fatalf("turn on: %d", st)
	}

	signIn := func(code string) int {
		o := newBrowser(t, srv.URL)
		return o.send("POST", "/admin/login", url.Values{"_csrf": {o.csrf("/admin/login")}, "email": {"analyst@example.org"},
			"password": {teamPassword}, "code": {code}}, "").status
	}
	if st := signIn(""); st != http.StatusUnauthorized {
		t.Errorf("password without the code: %d, want 401", st)
	}
	if st := signIn(code); st != http.StatusUnauthorized {
		t.Errorf("the code that turned it on, again: %d, want 401 (a code works once)", st)
	}
	// The next step's code (within the skew of one step).
	code, _ = totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	if st := signIn(code); st != http.StatusSeeOther {
		t.Errorf("password and code: %d, want 303", st)
	}
	if st := signIn(code); st != http.StatusUnauthorized {
		t.Errorf("the same code replayed: %d, want 401", st)
	}
	// The refused attempts are rows too, with their statuses.
	if rows := auditActions(t, tm, "auth.totp_change"); len(rows) != 3 || rows[0].Status != 422 || rows[1].Status != 401 ||
		rows[2].Status != 303 || rows[2].Details != "totp=on" {
		t.Errorf("audit rows: %+v", rows)
	}
	if st := turn("off", "", teamPassword); st != http.StatusSeeOther {
		t.Fatalf("turn off: %d", st)
	}
	if st := signIn(""); st != http.StatusSeeOther {
		t.Errorf("after turning it off, the password alone: %d", st)
	}
}
