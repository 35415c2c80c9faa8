package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMailSettingsRefused: a bad relay URL or rate stops dyad serve at
// once, and the message never repeats the URL's password.
func TestMailSettingsRefused(t *testing.T) {
	for _, tc := range []struct{ env map[string]string }{
		{map[string]string{"DYAD_SMTP_URL": "smtp://user:s3cr3t-pw@mail.example.org?tls=maybe&from=a@example.org"}},
		{map[string]string{"DYAD_SMTP_URL": "smtp://user:s3cr3t-pw@mail.example.org"}},
		{map[string]string{"DYAD_SMTP_URL": "http://user:s3cr3t-pw@mail.example.org?from=a@example.org"}},
		{map[string]string{"DYAD_SMTP_RATE": "0"}},
		{map[string]string{"DYAD_CLOCK_OFFSET": "a week"}},
	} {
		var out, errOut bytes.Buffer
		getenv := func(k string) string { return tc.env[k] }
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "dyad.db")}, getenv, &out, &errOut)
		cancel()
		if code == 0 || errOut.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q; want a refusal", tc.env, code, errOut.String())
		}
		if !strings.Contains(errOut.String(), "SMTP") && !strings.Contains(errOut.String(), "DYAD_") {
			t.Errorf("%v: the refusal does not name the setting: %s", tc.env, errOut.String())
		}
		if strings.Contains(errOut.String()+out.String(), "s3cr3t-pw") {
			t.Errorf("%v: the output repeats the password: %s", tc.env, errOut.String())
		}
	}
}
