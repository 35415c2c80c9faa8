package httpapi_test

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/account"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// tokenPassword is the test account's password.
const tokenPassword = "a passphrase long enough for the rules"

// accountEnv is a test server with accounts: an analyst with an API token
// of their own (bearer "mine"), and an owner with one token (id "owners").
func accountEnv(tb testing.TB, engine string) (*testEnv, vars) {
	tb.Helper()
	// The store is opened inside newEnvWith: the server is handed a
	// holder that points at it once it exists, before any request.
	late := &lateAccounts{}
	e := newEnvWith(tb, engine, func(c *config) {
		c.API.Accounts, c.Config.Accounts = late, late
	})
	late.Accounts = e.Store
	ctx := context.Background()
	now := time.Now()
	st := e.Store
	if err := st.EnsureStudy(ctx, survey.DefaultStudy, "Study", now); err != nil {
		tb.Fatal(err)
	}
	hash, err := account.HashPassword(ctx, tokenPassword)
	if err != nil {
		tb.Fatal(err)
	}
	v := vars{}
	for _, name := range []string{"analyst", "owner"} {
		u := &survey.User{Email: name + "@example.org", PasswordHash: hash, CreatedAt: now}
		if err := st.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
		if err := st.SetMembership(ctx, survey.Membership{StudyID: survey.DefaultStudy, UserID: u.ID, Role: survey.Role(name)}); err != nil {
			tb.Fatal(err)
		}
		secret := "dyad_" + survey.NewToken()
		tk := &survey.APIToken{UserID: u.ID, StudyID: survey.DefaultStudy, Name: name + "'s script", Hash: survey.HashSecret(secret),
			Role: survey.Role(name), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := st.CreateAPIToken(ctx, tk); err != nil {
			tb.Fatal(err)
		}
		v[name] = "Bearer " + secret
		v[name+"_id"] = strconv.FormatInt(tk.ID, 10)
	}
	return e, v
}

// lateAccounts forwards to a store set after the server is built.
type lateAccounts struct{ survey.Accounts }

// TestTokensAPI: the scenario rows of /api/v1/tokens.
func TestTokensAPI(t *testing.T) {
	type row struct {
		name, method, url, body, ct, auth string
		status                            int
		code                              string
		paths                             []string
		want, not                         []string
	}
	create := func(name, body, auth string, status int, code string, paths ...string) row {
		return row{name: name, method: "POST", url: "/api/v1/tokens", body: body, ct: ctJSON, auth: auth, status: status, code: code, paths: paths}
	}
	ok := `{"name":"R script","role":"viewer","expires_in_days":30,"password":"` + tokenPassword + `"}`
	rows := []row{
		{name: "List", method: "GET", url: "/api/v1/tokens", auth: "{analyst}", status: 200, want: []string{`"analyst's script"`, `"role":"analyst"`}, not: []string{"owner's", `"token"`}},
		{name: "ErrListResearcherToken", method: "GET", url: "/api/v1/tokens", auth: bearer, status: 409, code: "conflict"},
		{name: "ErrListNoToken", method: "GET", url: "/api/v1/tokens", status: 401, code: "unauthorized"},
		func() row {
			r := create("Create", ok, "{analyst}", 201, "")
			r.want = []string{`"token":"dyad_`, `"role":"viewer"`, `"revoked_at":null`}
			return r
		}(),
		create("ErrCreateFields", `{"name":"","role":"boss","expires_in_days":0,"password":"x"}`, "{analyst}", 422, "invalid", "name", "role", "expires_in_days"),
		create("ErrCreateRoleAbove", strings.Replace(ok, "viewer", "owner", 1), "{analyst}", 422, "invalid", "role"),
		create("ErrCreateTooLong", strings.Replace(ok, "R script", strings.Repeat("n", 101), 1), "{analyst}", 422, "invalid", "name"),
		create("ErrCreatePassword", strings.Replace(ok, tokenPassword, "not the password", 1), "{analyst}", 401, "unauthorized"),
		create("ErrCreateResearcherToken", ok, bearer, 409, "conflict"),
		create("ErrCreateNoToken", ok, "", 401, "unauthorized"),
		{name: "ErrCreateContentType", method: "POST", url: "/api/v1/tokens", body: ok, ct: "text/plain", auth: "{analyst}", status: 415, code: "unsupported"},
		{name: "Revoke", method: "DELETE", url: "/api/v1/tokens/{analyst_id}", auth: "{analyst}", status: 204},
		{name: "ErrRevokeAnothersToken", method: "DELETE", url: "/api/v1/tokens/{owner_id}", auth: "{analyst}", status: 404, code: "not_found"},
		{name: "ErrRevokeUnknown", method: "DELETE", url: "/api/v1/tokens/999", auth: "{analyst}", status: 404, code: "not_found"},
		{name: "ErrRevokeNotAnID", method: "DELETE", url: "/api/v1/tokens/abc", auth: "{analyst}", status: 404, code: "not_found"},
		{name: "ErrRevokeResearcherToken", method: "DELETE", url: "/api/v1/tokens/1", auth: bearer, status: 409, code: "conflict"},
	}
	enginetest.Run(t, func(t *testing.T, engine string) {
		for _, r := range rows {
			t.Run(r.name, func(t *testing.T) {
				t.Parallel()
				e, v := accountEnv(t, engine)
				status, _, body := e.do(t, request{Method: r.method, URL: v.fill(r.url), Body: r.body, ContentType: r.ct, Authorization: v.fill(r.auth)})
				if status != r.status {
					t.Fatalf("status %d, want %d: %s", status, r.status, truncate(body))
				}
				if r.code != "" {
					apiErr := decodeError(t, body)
					want := append([]string{}, r.paths...)
					sort.Strings(want)
					if apiErr.Error.Code != r.code || !slices.Equal(apiErr.detailPaths(), want) {
						t.Errorf("error %q paths %q, want %q %q", apiErr.Error.Code, apiErr.detailPaths(), r.code, want)
					}
				}
				for _, s := range r.want {
					if !strings.Contains(string(body), s) {
						t.Errorf("body lacks %s: %s", s, truncate(body))
					}
				}
				for _, s := range r.not {
					if strings.Contains(string(body), s) {
						t.Errorf("body has %s: %s", s, truncate(body))
					}
				}
				if r.name == "Revoke" {
					if status, _, _ := e.do(t, request{Method: "GET", URL: "/api/v1/tokens", Authorization: v["analyst"]}); status != 401 {
						t.Errorf("the revoked token still works: %d", status)
					}
				}
			})
		}
	})
}
