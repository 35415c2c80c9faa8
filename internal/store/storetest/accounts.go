package storetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

// testAccounts: accounts by e-mail (case-insensitive, unique), roles per
// study (replaced, checked against unknown accounts and studies), a
// session tied to an account, and "sign out everywhere".
func testAccounts(t *testing.T, s survey.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := s.EnsureStudy(ctx, survey.DefaultStudy, "Default study", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureStudy(ctx, survey.DefaultStudy, "Another name", t0); err != nil {
		t.Fatalf("ensure an existing study: %v", err)
	}
	a := &survey.User{Email: "PI@Example.org", PasswordHash: "$argon2id$x", Admin: true, CreatedAt: t0}
	if err := s.CreateUser(ctx, a); err != nil || a.ID == 0 {
		t.Fatalf("create: id %d, %v", a.ID, err)
	}
	b := &survey.User{Email: "ra@example.org", PasswordHash: "$argon2id$y", CreatedAt: t0}
	if err := s.CreateUser(ctx, b); err != nil || b.ID == 0 || b.ID == a.ID {
		t.Fatalf("create a second: id %d (first %d), %v", b.ID, a.ID, err)
	}
	if err := s.CreateUser(ctx, &survey.User{Email: "pi@EXAMPLE.org", PasswordHash: "z", CreatedAt: t0}); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("same e-mail in other case: %v, want conflict", err)
	}
	got, err := s.FindUserByEmail(ctx, "pi@example.ORG")
	if err != nil || got.ID != a.ID || got.Email != "pi@example.org" || !got.Admin || got.PasswordHash != a.PasswordHash || !got.CreatedAt.Equal(t0) {
		t.Fatalf("find by e-mail: %+v, %v", got, err)
	}
	if got, err := s.FindUserByID(ctx, b.ID); err != nil || got.Email != "ra@example.org" || got.Admin {
		t.Errorf("find by id: %+v, %v", got, err)
	}
	if _, err := s.FindUserByEmail(ctx, "nobody@example.org"); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown e-mail: %v", err)
	}
	if got.TOTPSecret != "" {
		t.Errorf("a new account has a TOTP secret")
	}
	if err := s.SetUserTOTP(ctx, b.ID, "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindUserByID(ctx, b.ID); got.TOTPSecret != "JBSWY3DPEHPK3PXP" {
		t.Errorf("TOTP secret read back %q", got.TOTPSecret)
	}
	if err := s.SetUserTOTP(ctx, b.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindUserByID(ctx, b.ID); got.TOTPSecret != "" {
		t.Errorf("TOTP secret after removal %q", got.TOTPSecret)
	}
	// A code's time step is accepted once, and never an earlier one.
	for _, tc := range []struct {
		step int64
		ok   bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		if ok, err := s.UseTOTPStep(ctx, b.ID, tc.step); err != nil || ok != tc.ok {
			t.Errorf("UseTOTPStep(%d) = %v, %v; want %v", tc.step, ok, err, tc.ok)
		}
	}
	if err := s.SetUserTOTP(ctx, 999, "X"); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("TOTP of an unknown account: %v", err)
	}

	if err := s.SetMembership(ctx, survey.Membership{StudyID: survey.DefaultStudy, UserID: b.ID, Role: survey.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMembership(ctx, survey.Membership{StudyID: survey.DefaultStudy, UserID: b.ID, Role: survey.RoleAnalyst}); err != nil {
		t.Fatal(err)
	}
	if ms, err := s.FindMemberships(ctx, b.ID); err != nil || len(ms) != 1 || ms[0].Role != survey.RoleAnalyst {
		t.Errorf("memberships after a change of role: %+v, %v", ms, err)
	}
	if err := s.SetMembership(ctx, survey.Membership{StudyID: 99, UserID: b.ID, Role: survey.RoleViewer}); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown study: %v", err)
	}
	if err := s.SetMembership(ctx, survey.Membership{StudyID: survey.DefaultStudy, UserID: 999, Role: survey.RoleViewer}); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown account: %v", err)
	}
	if ms, err := s.FindMemberships(ctx, a.ID); err != nil || len(ms) != 0 {
		t.Errorf("memberships of an account with none: %+v, %v", ms, err)
	}

	// Sessions: one of b's, one of the token's; signing b out everywhere
	// ends b's only.
	lim := survey.SessionLimits{IdleBefore: t0.Add(-time.Hour), CreatedBefore: t0.Add(-time.Hour), Max: 10}
	for i, uid := range []int64{b.ID, b.ID, 0} {
		if err := s.CreateSession(ctx, &survey.Session{IDHash: survey.HashSecret(fmt.Sprint("s", i)), CreatedAt: t0, SeenAt: t0, UserID: uid}, lim); err != nil {
			t.Fatal(err)
		}
	}
	if sn, err := s.FindSession(ctx, survey.HashSecret("s0")); err != nil || sn.UserID != b.ID {
		t.Errorf("session of b: %+v, %v", sn, err)
	}
	if sn, err := s.FindSession(ctx, survey.HashSecret("s2")); err != nil || sn.UserID != 0 {
		t.Errorf("session of the token: %+v, %v", sn, err)
	}
	if n, err := s.DeleteUserSessions(ctx, b.ID); err != nil || n != 2 {
		t.Errorf("sign out everywhere: %d, %v; want 2", n, err)
	}
	if _, err := s.FindSession(ctx, survey.HashSecret("s1")); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("b's session after sign-out everywhere: %v", err)
	}
	if _, err := s.FindSession(ctx, survey.HashSecret("s2")); err != nil {
		t.Errorf("the token's session after b signed out everywhere: %v", err)
	}
}

// testAPITokens: stored by hash, listed newest first, revoked once (the
// first time kept), revocable only by their account.
func testAPITokens(t *testing.T, s survey.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := s.EnsureStudy(ctx, survey.DefaultStudy, "Default study", t0); err != nil {
		t.Fatal(err)
	}
	u := &survey.User{Email: "a@example.org", PasswordHash: "h", CreatedAt: t0}
	other := &survey.User{Email: "b@example.org", PasswordHash: "h", CreatedAt: t0}
	for _, x := range []*survey.User{u, other} {
		if err := s.CreateUser(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(name string) *survey.APIToken {
		t.Helper()
		tk := &survey.APIToken{UserID: u.ID, StudyID: survey.DefaultStudy, Name: name, Hash: survey.HashSecret(name),
			Role: survey.RoleAnalyst, CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
		if err := s.CreateAPIToken(ctx, tk); err != nil || tk.ID == 0 {
			t.Fatalf("create %s: %d, %v", name, tk.ID, err)
		}
		return tk
	}
	one, two := mk("one"), mk("two")
	if err := s.CreateAPIToken(ctx, &survey.APIToken{UserID: u.ID, StudyID: survey.DefaultStudy, Name: "again", Hash: survey.HashSecret("one"),
		Role: survey.RoleViewer, CreatedAt: t0, ExpiresAt: t0}); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("same hash twice: %v, want conflict", err)
	}
	got, err := s.FindAPIToken(ctx, survey.HashSecret("one"))
	if err != nil || got.ID != one.ID || got.Name != "one" || got.Role != survey.RoleAnalyst || got.StudyID != survey.DefaultStudy ||
		!got.ExpiresAt.Equal(t0.Add(24*time.Hour)) || got.RevokedAt != nil {
		t.Fatalf("find: %+v, %v", got, err)
	}
	if _, err := s.FindAPIToken(ctx, survey.HashSecret("none")); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown hash: %v", err)
	}
	if list, err := s.FindAPITokens(ctx, u.ID); err != nil || len(list) != 2 || list[0].ID != two.ID || list[1].ID != one.ID {
		t.Errorf("list: %+v, %v; want two, one", list, err)
	}
	if err := s.RevokeAPIToken(ctx, other.ID, one.ID, t0); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("revoke another account's token: %v, want not found", err)
	}
	if err := s.RevokeAPIToken(ctx, u.ID, one.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIToken(ctx, u.ID, one.ID, t0.Add(2*time.Hour)); err != nil {
		t.Errorf("revoke twice: %v", err)
	}
	if got, _ := s.FindAPIToken(ctx, survey.HashSecret("one")); got.RevokedAt == nil || !got.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("revoked at %v, want the first revocation's time", got.RevokedAt)
	}
	if got, _ := s.FindAPIToken(ctx, survey.HashSecret("two")); got.RevokedAt != nil {
		t.Errorf("the other token was revoked too")
	}
}

// testAuditChain: appends form one chain (each row holds the previous
// row's hash) even when they race, the filters select, and VerifyAudit
// passes on the intact trail. Edits and deletions made behind the store's
// back are each driver's test (cmd/dyad: dyad audit verify).
func testAuditChain(t *testing.T, s survey.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if r, err := survey.VerifyAudit(ctx, s); err != nil || r.Rows != 0 || r.BadID != 0 {
		t.Fatalf("empty trail: %+v, %v", r, err)
	}
	first := &survey.AuditEvent{At: t0, Actor: "user:1 pi@example.org", Action: "auth.sign_in", Target: "user:1",
		Details: "", RequestID: "r1", Client: "192.0.2.1", Status: 303}
	if err := s.AppendAudit(ctx, first); err != nil {
		t.Fatal(err)
	}
	if first.ID != 1 || first.PrevHash != nil || !bytes.Equal(first.Hash, survey.AuditHash(nil, first)) {
		t.Fatalf("first row: id %d prev %x hash %x", first.ID, first.PrevHash, first.Hash)
	}
	const racers = 8
	var wg sync.WaitGroup
	errs := make(chan error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.AppendAudit(ctx, &survey.AuditEvent{At: t0.Add(time.Duration(i+1) * time.Minute), Actor: "researcher",
				Action: "export.download", Target: "survey:s1", Details: fmt.Sprintf("status=complete&n=%d", i), RequestID: fmt.Sprint("r", i+2), Status: 200})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	r, err := survey.VerifyAudit(ctx, s)
	if err != nil || r.Rows != racers+1 || r.BadID != 0 || len(r.Head) == 0 {
		t.Fatalf("verify after racing appends: %+v, %v", r, err)
	}
	var got []int64
	collect := func(f survey.AuditFilter) []int64 {
		got = nil
		if err := s.ScanAudit(ctx, f, func(e *survey.AuditEvent) error { got = append(got, e.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if ids := collect(survey.AuditFilter{Actor: "user:1 pi@example.org"}); len(ids) != 1 || ids[0] != 1 {
		t.Errorf("by actor: %v", ids)
	}
	if ids := collect(survey.AuditFilter{Action: "export.download"}); len(ids) != racers {
		t.Errorf("by action: %v", ids)
	}
	if ids := collect(survey.AuditFilter{Since: t0.Add(time.Second), Until: t0.Add(3 * time.Minute)}); len(ids) != 2 {
		t.Errorf("by time: %v, want the rows at 1 and 2 minutes", ids)
	}
	if ids := collect(survey.AuditFilter{AfterID: 3, Limit: 2}); len(ids) != 2 || ids[0] != 4 || ids[1] != 5 {
		t.Errorf("a page after 3 of 2: %v", ids)
	}
	var stored survey.AuditEvent
	_ = s.ScanAudit(ctx, survey.AuditFilter{Limit: 1}, func(e *survey.AuditEvent) error { stored = *e; return nil })
	if stored.Client != "192.0.2.1" || stored.RequestID != "r1" || stored.Status != 303 || !stored.At.Equal(t0) {
		t.Errorf("first row read back: %+v", stored)
	}
}

// testInvites: a sign-up link is used once (two racing accepts: one
// account), not after it expires, not for an e-mail already taken (and
// then stays usable); the accepted account is a member with the invite's
// role.
func testInvites(t *testing.T, s survey.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := s.EnsureStudy(ctx, survey.DefaultStudy, "Study", t0); err != nil {
		t.Fatal(err)
	}
	owner := &survey.User{Email: "owner@example.org", PasswordHash: "h", CreatedAt: t0}
	if err := s.CreateUser(ctx, owner); err != nil {
		t.Fatal(err)
	}
	mk := func(secret string, role survey.Role, expires time.Time) []byte {
		t.Helper()
		inv := &survey.Invite{Hash: survey.HashSecret(secret), StudyID: survey.DefaultStudy, Role: role, CreatedBy: owner.ID, CreatedAt: t0, ExpiresAt: expires}
		if err := s.CreateInvite(ctx, inv); err != nil {
			t.Fatal(err)
		}
		return inv.Hash
	}
	link := mk("link", survey.RoleAnalyst, t0.Add(time.Hour))
	if got, err := s.FindInvite(ctx, link); err != nil || got.Role != survey.RoleAnalyst || got.CreatedBy != owner.ID || got.UsedAt != nil {
		t.Fatalf("find: %+v, %v", got, err)
	}
	// An e-mail already taken: refused, and the link is still usable.
	if _, err := s.AcceptInvite(ctx, link, &survey.User{Email: "OWNER@example.org", PasswordHash: "h", CreatedAt: t0}, t0); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("accept with a taken e-mail: %v", err)
	}
	if got, _ := s.FindInvite(ctx, link); got.UsedAt != nil {
		t.Errorf("a refused accept used the link")
	}
	const racers = 4
	var wg sync.WaitGroup
	won := make(chan int64, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := &survey.User{Email: fmt.Sprintf("r%d@example.org", i), PasswordHash: "h", CreatedAt: t0}
			m, err := s.AcceptInvite(ctx, link, u, t0.Add(time.Minute))
			switch {
			case err == nil:
				if m.Role != survey.RoleAnalyst || m.UserID != u.ID || u.ID == 0 {
					t.Errorf("accepted: %+v, user %d", m, u.ID)
				}
				won <- u.ID
			case survey.ErrorCode(err) != survey.EConflict:
				t.Errorf("accept: %v", err)
			}
		}()
	}
	wg.Wait()
	close(won)
	if len(won) != 1 {
		t.Fatalf("%d accepts of one link won, want 1", len(won))
	}
	winner := <-won
	if got, _ := s.FindInvite(ctx, link); got.UsedAt == nil || !got.UsedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("used at %v", got.UsedAt)
	}
	late := mk("late", survey.RoleViewer, t0.Add(time.Hour))
	if _, err := s.AcceptInvite(ctx, late, &survey.User{Email: "late@example.org", PasswordHash: "h", CreatedAt: t0}, t0.Add(time.Hour)); survey.ErrorCode(err) != survey.EConflict {
		t.Errorf("accept at expiry: %v", err)
	}
	if _, err := s.FindUserByEmail(ctx, "late@example.org"); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("a refused accept stored the account: %v", err)
	}
	if _, err := s.FindInvite(ctx, survey.HashSecret("none")); survey.ErrorCode(err) != survey.ENotFound {
		t.Errorf("unknown invite: %v", err)
	}
	if err := s.SetMembership(ctx, survey.Membership{StudyID: survey.DefaultStudy, UserID: owner.ID, Role: survey.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	ms, err := s.FindMembers(ctx, survey.DefaultStudy)
	if err != nil || len(ms) != 2 || ms[0].User.Email != "owner@example.org" || ms[0].Role != survey.RoleOwner ||
		ms[1].User.ID != winner || ms[1].Role != survey.RoleAnalyst || ms[1].User.PasswordHash != "" {
		t.Errorf("members: %+v, %v", ms, err)
	}
}
