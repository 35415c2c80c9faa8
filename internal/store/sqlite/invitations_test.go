package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

type invitationRow struct {
	hash  []byte
	spent int
}

// backupInvitations backs the store up to a new file and returns that
// file's invitations of the survey in the order the file stores them, and
// the file's path.
func backupInvitations(tb testing.TB, st *Store, surveyID, name string) ([]invitationRow, string) {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), name)
	if err := st.Backup(context.Background(), out); err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+out+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT code_hash, spent FROM invitations WHERE survey_id = ?`, surveyID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var list []invitationRow
	for rows.Next() {
		var r invitationRow
		if err := rows.Scan(&r.hash, &r.spent); err != nil {
			tb.Fatal(err)
		}
		list = append(list, r)
	}
	if _, err := db.Exec(`SELECT rowid FROM invitations`); err == nil {
		tb.Error("invitations has a rowid: its order is the order of issue")
	}
	return list, out
}

// TestHardening12BackupsDoNotLinkCodes is the researcher's attack: the
// list of issued codes, a backup, one submission, a second backup. The
// two backups differ in exactly one invitation row turning spent, and
// nothing the researcher holds tells which code that row belongs to.
func TestHardening12BackupsDoNotLinkCodes(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	key := survey.NewInvitationKey()
	f.svc = survey.NewService(f.st, survey.WithInvitationKey(key))
	const n = 60
	codes, err := f.svc.CreateInvitations(ctx, f.invi.ID, n)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := backupInvitations(t, f.st, f.invi.ID, "before.db")
	answers := survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(3)}
	const used = 17
	if _, created, err := f.svc.Submit(ctx, f.invi.ID, survey.Submission{InvitationCode: codes[used], Answers: answers}); err != nil || !created {
		t.Fatalf("submit: %v %v", err, created)
	}
	// Another invitee is answering in the web form: their response holds
	// a code, and carries a mark of it.
	if _, _, err := f.svc.StartProgress(ctx, f.invi.ID, codes[used+13], ""); err != nil {
		t.Fatal(err)
	}
	after, backup := backupInvitations(t, f.st, f.invi.ID, "after.db")

	// What the researcher sees: one row flipped, nothing else.
	if len(before) != n || len(after) != n {
		t.Fatalf("%d and %d rows, want %d", len(before), len(after), n)
	}
	flipped := -1
	for i := range before {
		if !bytes.Equal(before[i].hash, after[i].hash) {
			t.Fatalf("row %d changed its hash between backups", i)
		}
		if before[i].spent != after[i].spent {
			if flipped >= 0 {
				t.Fatal("two rows turned spent")
			}
			flipped = i
		}
	}
	if flipped < 0 || after[flipped].spent != 1 {
		t.Fatal("no row turned spent")
	}
	// What the researcher can compute from the codes: no hash of any
	// spelling of a code, alone or with the survey id, is a stored hash.
	stored := map[string]bool{}
	for _, r := range after {
		stored[string(r.hash)] = true
	}
	marks := holdMarks(t, backup)
	if len(marks) != 1 {
		t.Fatalf("%d hold marks in the backup, want the one response in progress", len(marks))
	}
	for _, m := range marks {
		if stored[string(m)] {
			t.Fatal("a response's hold mark equals an invitation row's hash")
		}
		stored[string(m)] = true // and it must not be computable either
	}
	for i, code := range codes {
		for _, guess := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", ""),
			f.invi.ID + code, f.invi.ID + "\x00" + code, code + f.invi.ID} {
			h := sha256.Sum256([]byte(guess))
			if stored[string(h[:])] {
				t.Fatalf("code %d (%q): its SHA-256 is stored; the spent row names the code", i, guess)
			}
		}
	}
	// Nor is the key in the backup, to hash the codes with.
	if bytes.Contains(fileBytes(t, backup), key) {
		t.Fatal("the invitation key is in the backup")
	}
	// The rows are in no order that follows the order of issue: place
	// each code (with the key, which only the server has) in the stored
	// order and count the rises. In order of issue there would be n-1; at
	// random about (n-1)/2, with a spread of about 2.3.
	pos := map[string]int{}
	for i, r := range after {
		pos[string(r.hash)] = i
	}
	rises := 0
	for i := 1; i < n; i++ {
		a, okA := pos[string(f.svc.InvitationHash(f.invi.ID, codes[i-1]))]
		b, okB := pos[string(f.svc.InvitationHash(f.invi.ID, codes[i]))]
		if !okA || !okB {
			t.Fatalf("code %d is not stored under its keyed hash", i)
		}
		if b > a {
			rises++
		}
	}
	if rises < 10 || rises > n-11 {
		t.Fatalf("stored order follows the order of issue: %d rises in %d", rises, n-1)
	}
	// With the key the spent row is the used code's: the operator who
	// holds both key and database can link (the residual risk).
	if !bytes.Equal(after[flipped].hash, f.svc.InvitationHash(f.invi.ID, codes[used])) {
		t.Fatal("the spent row is not the used code's")
	}
	// The code still works once and only once.
	if _, _, err := f.svc.Submit(ctx, f.invi.ID, survey.Submission{InvitationCode: codes[used], Answers: answers}); survey.ErrorCode(err) != survey.EConflict {
		t.Fatalf("second use of the code: %v", err)
	}
}

// holdMarks returns the hold marks of the responses in a database file.
func holdMarks(tb testing.TB, path string) [][]byte {
	tb.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT hold_mark FROM responses WHERE hold_mark IS NOT NULL`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var m []byte
		if err := rows.Scan(&m); err != nil {
			tb.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func fileBytes(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestInvitationHoldAndLegacyCodes: a code held by a web response in
// progress is refused through the API too, and a code stored before keyed
// hashes (plain SHA-256, keyed = 0) still works, once.
func TestInvitationHoldAndLegacyCodes(t *testing.T) {
	ctx := context.Background()
	f := newProgressFixture(t)
	codes, err := f.svc.CreateInvitations(ctx, f.invi.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	const legacy = "AAAA-BBBB-CCCC"
	if _, err := f.st.writeSQL.Exec(`INSERT INTO invitations (survey_id, code_hash) VALUES (?, ?)`, f.invi.ID, survey.HashSecret(legacy)); err != nil {
		t.Fatal(err)
	}
	answers := survey.Answers{"uses": survey.IntVal(0), "years": survey.IntVal(3)}
	for _, code := range []string{codes[0], legacy} {
		_, token, err := f.svc.StartProgress(ctx, f.invi.ID, code, "")
		if err != nil {
			t.Fatalf("start with %s: %v", code, err)
		}
		if _, _, err := f.svc.Submit(ctx, f.invi.ID, survey.Submission{InvitationCode: code, Answers: answers}); !survey.IsCodeInUse(err) {
			t.Fatalf("API submission of a held code: %v", err)
		}
		if _, _, err := f.svc.CompleteProgress(ctx, f.invi.ID, token, answers); err != nil {
			t.Fatalf("complete with %s: %v", code, err)
		}
		if _, _, err := f.svc.Submit(ctx, f.invi.ID, survey.Submission{InvitationCode: code, Answers: answers}); survey.ErrorCode(err) != survey.EConflict || survey.IsCodeInUse(err) {
			t.Fatalf("API submission of a spent code: %v", err)
		}
	}
	var keyed, legacyRows int
	f.st.readSQL.QueryRow(`SELECT count(*) FILTER (WHERE keyed = 1), count(*) FILTER (WHERE keyed = 0) FROM invitations`).Scan(&keyed, &legacyRows)
	if keyed != 1 || legacyRows != 1 {
		t.Fatalf("keyed %d, legacy %d", keyed, legacyRows)
	}
	if n, _ := countResponses(f.st, f.invi.ID); n != 2 {
		t.Fatalf("%d responses, want 2", n)
	}
}

func countResponses(st *Store, surveyID string) (int, error) {
	var n int
	err := st.readSQL.QueryRow(`SELECT count(*) FROM responses WHERE survey_id = ?`, surveyID).Scan(&n)
	return n, err
}
