package httpapi_test

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

const ctCSV = "text/csv"

// participantFixture is the API fixture plus two participants of the
// invitation survey ({pid} and {pid2}, whose opt-out token is {optout}).
func participantFixture(tb testing.TB, e *testEnv) vars {
	tb.Helper()
	v := fixture(tb, e)
	e.mustDo(tb, request{Method: "POST", URL: "/api/v1/surveys/" + v["invite"] + "/participants/upload", ContentType: ctCSV,
		Body: "email,first_name,site\nann@example.org,Ann,North\nbob@example.org,Bob,South\n", Authorization: bearer}, http.StatusCreated)
	ps, err := e.Svc.Participants(tb.Context(), v["invite"])
	if err != nil || len(ps) != 2 {
		tb.Fatalf("participants: %d, %v", len(ps), err)
	}
	v["pid"], v["pid2"] = ps[0].ID, ps[1].ID
	v["optout"] = e.Svc.OptOutToken(v["invite"], ps[1].ID)
	return v
}

func TestParticipantsAPI(t *testing.T) {
	t.Parallel()
	base := "/api/v1/surveys/{invite}"
	upload := func(name, query, body string, status int, code string, paths ...string) scenario {
		return scenario{name: name, method: "POST", url: base + "/participants/upload" + query, body: body, contentType: ctCSV,
			authorization: bearer, wantStatus: status, wantCode: code, wantPaths: paths, changes: status == 201}
	}
	bad := "email,first_name,last_name\n" +
		"cy@example.org,Cy,C\n" +
		"no-at-sign,Di,D\n" + // row 2
		"ann@example.org,Ann,Again\n" + // row 3: on the list already
		"eve@example.org,Eve\n" + // row 4: a column missing
		"cy@example.org,Cy,Twice\n" // row 5: twice in the file
	runScenarios(t, participantFixture, []scenario{
		upload("upload", "", "email,first_name,last_name,language,ward\ncy@example.org,Cy,C,de-CH,7\n", 201, ""),
		upload("upload with bad rows imports nothing", "", bad, 422, survey.EInvalid,
			"rows[2].email", "rows[3].email", "rows[4]", "rows[5].email"),
		upload("upload skipping bad rows", "?skip_bad_rows=true", bad, 201, ""),
		upload("upload without the email column", "", "name\nx\n", 422, survey.EInvalid, "header"),
		upload("upload over 1 MiB", "", "email\n"+strings.Repeat("someone.with.a.long.address@example.org\n", 30000), 413, "too_large"),
		upload("upload with a broken quote", "", "email,first_name\na@example.org,\"Ann\n", 422, survey.EInvalid, "rows[1]"),
		upload("upload with a bad skip_bad_rows", "?skip_bad_rows=perhaps", bad, 422, survey.EInvalid, "skip_bad_rows"),
		{name: "upload as JSON", method: "POST", url: base + "/participants/upload", body: `{}`, contentType: ctJSON,
			authorization: bearer, wantStatus: 415, wantCode: survey.EUnsupported, wantPaths: []string{""}},
		{name: "upload to an open survey", method: "POST", url: "/api/v1/surveys/{open}/participants/upload", body: "email\na@example.org\n",
			contentType: ctCSV, authorization: bearer, wantStatus: 409, wantCode: survey.EConflict},
		{name: "upload to an unknown survey", method: "POST", url: "/api/v1/surveys/{nosuch}/participants/upload", body: "email\na@example.org\n",
			contentType: ctCSV, authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound},
		{name: "upload without a token", method: "POST", url: base + "/participants/upload", body: "email\na@example.org\n",
			contentType: ctCSV, wantStatus: 401, wantCode: survey.EUnauthorized},

		{name: "list", method: "GET", url: base + "/participants", authorization: bearer, wantStatus: 200,
			wantContent: []string{`"email":"ann@example.org"`, `"attributes":{"site":"North"}`, `"status":"new"`, `"counts":{"total":2,`},
			notContent:  []string{"code"}},
		{name: "list a page", method: "GET", url: base + "/participants?offset=1&limit=1", authorization: bearer, wantStatus: 200,
			wantContent: []string{`"email":"bob@example.org"`, `"next_offset":null`, `"counts":{"total":2,`}, notContent: []string{"ann@"}},
		{name: "list a first page", method: "GET", url: base + "/participants?limit=1", authorization: bearer, wantStatus: 200,
			wantContent: []string{`"email":"ann@example.org"`, `"next_offset":1`}},
		{name: "list with a bad limit", method: "GET", url: base + "/participants?limit=0&offset=x", authorization: bearer,
			wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"limit", "offset"}},
		{name: "list of an open survey", method: "GET", url: "/api/v1/surveys/{open}/participants", authorization: bearer, wantStatus: 409, wantCode: survey.EConflict},
		{name: "get", method: "GET", url: base + "/participants/{pid}", authorization: bearer, wantStatus: 200, wantContent: []string{`"id":"{pid}"`}},
		{name: "get unknown", method: "GET", url: base + "/participants/pnobody", authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound},

		{name: "add", method: "POST", url: base + "/participants", body: `{"email":"Dee@Example.org","first_name":"Dee","attributes":{"site":"East"}}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 201, changes: true, wantContent: []string{`"email":"dee@example.org"`}},
		{name: "add a bad address", method: "POST", url: base + "/participants", body: `{"email":"dee at example"}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"email"}},
		{name: "add a bad attribute", method: "POST", url: base + "/participants", body: `{"email":"dee@example.org","attributes":{"Bad Name":"x"}}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"attributes.Bad Name"}},
		{name: "add an unknown field", method: "POST", url: base + "/participants", body: `{"email":"dee@example.org","phone":"1"}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"phone"}},
		{name: "add a duplicate", method: "POST", url: base + "/participants", body: `{"email":"ANN@example.org"}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 409, wantCode: survey.EConflict},
		{name: "edit", method: "PATCH", url: base + "/participants/{pid}", body: `{"first_name":"Anne","language":"fr"}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 200, changes: true,
			wantContent: []string{`"first_name":"Anne"`, `"language":"fr"`, `"email":"ann@example.org"`}},
		{name: "edit a bad language", method: "PATCH", url: base + "/participants/{pid}", body: `{"language":"French"}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"language"}},
		{name: "edit to another's address", method: "PATCH", url: base + "/participants/{pid}", body: `{"email":"bob@example.org"}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 409, wantCode: survey.EConflict, wantPaths: []string{"email"}},
		{name: "edit unknown", method: "PATCH", url: base + "/participants/pnobody", body: `{"first_name":"X"}`,
			contentType: ctJSON, authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound},
		{name: "remove", method: "DELETE", url: base + "/participants/{pid}", authorization: bearer, wantStatus: 204, changes: true},
		{name: "remove unknown", method: "DELETE", url: base + "/participants/pnobody", authorization: bearer, wantStatus: 404, wantCode: survey.ENotFound},
		{name: "remove without a token", method: "DELETE", url: base + "/participants/{pid}", wantStatus: 401, wantCode: survey.EUnauthorized},

		{name: "templates", method: "GET", url: base + "/templates", authorization: bearer, wantStatus: 200,
			wantContent: []string{`"kind":"invitation"`, `"kind":"reminder"`, `{{survey_link}}`}},
		{name: "put template", method: "PUT", url: base + "/templates", contentType: ctJSON, authorization: bearer, wantStatus: 200, changes: true,
			body: `{"kind":"invitation","language":"de","subject":"Einladung","text":"Hallo {{first_name}} {{survey_link}} {{opt_out_link}}","html":"<p>{{first_name}}</p>"}`},
		{name: "put template without the links", method: "PUT", url: base + "/templates", contentType: ctJSON, authorization: bearer,
			body: `{"kind":"reminder","subject":"R","text":"Hello {{first_name"}`, wantStatus: 422, wantCode: survey.EInvalid,
			wantPaths: []string{"text", "text", "text"}},
		{name: "preview", method: "POST", url: base + "/templates/preview", contentType: ctJSON, authorization: bearer,
			body: `{"kind":"reminder","attributes":{"site":"<b>"}}`, wantStatus: 200,
			wantContent: []string{`"subject":"Reminder: Test survey"`, "Dear Alex Sample", "/optout/{invite}.psample."}},
		{name: "preview of an unknown kind", method: "POST", url: base + "/templates/preview", contentType: ctJSON, authorization: bearer,
			body: `{"kind":"letter"}`, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"kind"}},
		{name: "test send", method: "POST", url: base + "/templates/test", contentType: ctJSON, authorization: bearer,
			body: `{"kind":"invitation","to":"me@example.org"}`, wantStatus: 202, changes: true},
		{name: "test send to a bad address", method: "POST", url: base + "/templates/test", contentType: ctJSON, authorization: bearer,
			body: `{"kind":"invitation","to":"me"}`, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"to"}},

		{name: "mailing unset", method: "GET", url: base + "/mailing", authorization: bearer, wantStatus: 200,
			wantContent: []string{`{"invite_at":null,"reminder_days":0,"max_reminders":0}`}},
		{name: "put mailing", method: "PUT", url: base + "/mailing", contentType: ctJSON, authorization: bearer, changes: true,
			body: `{"invite_at":"2030-01-01T08:00:00Z","reminder_days":7,"max_reminders":2}`, wantStatus: 200,
			wantContent: []string{`"invite_at":"2030-01-01T08:00:00Z"`}},
		{name: "put mailing out of range", method: "PUT", url: base + "/mailing", contentType: ctJSON, authorization: bearer,
			body: `{"reminder_days":91,"max_reminders":6}`, wantStatus: 422, wantCode: survey.EInvalid,
			wantPaths: []string{"reminder_days", "max_reminders"}},
		{name: "put mailing bad time", method: "PUT", url: base + "/mailing", contentType: ctJSON, authorization: bearer,
			body: `{"invite_at":"tomorrow"}`, wantStatus: 422, wantCode: survey.EInvalid, wantPaths: []string{"invite_at"}},
		{name: "send invitations", method: "POST", url: base + "/mailing/invitations", authorization: bearer, wantStatus: 202, changes: true,
			wantContent: []string{`{"queued":2}`}},
		{name: "send invitations of a closed survey", method: "POST", url: "/api/v1/surveys/{closed}/mailing/invitations", authorization: bearer,
			wantStatus: 409, wantCode: survey.EConflict},
		{name: "outbox", method: "GET", url: base + "/outbox", authorization: bearer, wantStatus: 200, wantContent: []string{`{"messages":[]}`}},
	})
}

// TestParticipantCodeAdmitsOnce: the personal code in a participant's
// link is one of the survey's codes: it admits one response, and the
// participant is then completed, with no time and no response id.
func TestParticipantCodeAdmitsOnce(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, testParticipantCodeAdmitsOnce)
}

func testParticipantCodeAdmitsOnce(t *testing.T, engine string) {
	e := newEnv(t, engine)
	v := participantFixture(t, e)
	p, err := e.Svc.Participant(t.Context(), v["invite"], v["pid"])
	if err != nil {
		t.Fatal(err)
	}
	code := e.Svc.ParticipantCode(p)
	r := e.submit(t, v["invite"], submission(map[string]any{"invitation_code": strings.ToLower(code)}, nil), http.StatusCreated)
	e.submit(t, v["invite"], submission(map[string]any{"invitation_code": code}, nil), http.StatusConflict)
	body := e.mustDo(t, request{Method: "GET", URL: "/api/v1/surveys/" + v["invite"] + "/participants/" + v["pid"], Authorization: bearer}, http.StatusOK)
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["completed"] != true || doc["status"] != "completed" || strings.Contains(string(body), r.ID) {
		t.Fatalf("participant after completing: %s", body)
	}
	// The code is not stored in the clear anywhere.
	if dump := e.dump(t); strings.Contains(dump, code) || strings.Contains(dump, strings.ReplaceAll(code, "-", "")) {
		t.Fatal("the participant's code is stored in the clear")
	}
}

// TestParticipantPages: the list's CSV export and the opt-out page, which
// answer CSV and HTML rather than JSON.
func TestParticipantPages(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, testParticipantPages)
}

func testParticipantPages(t *testing.T, engine string) {
	e := newEnv(t, engine)
	v := participantFixture(t, e)
	status, hdr, body := e.do(t, request{Method: "GET", URL: "/api/v1/surveys/" + v["invite"] + "/participants/export", Authorization: bearer})
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") ||
		!strings.Contains(string(body), "id,email,first_name,last_name,language,site,status,invited_at,reminders") ||
		!strings.Contains(string(body), "ann@example.org,Ann,,,North,new") {
		t.Fatalf("export: %d %s\n%s", status, hdr.Get("Content-Type"), body)
	}
	if status, _, _ := e.do(t, request{Method: "GET", URL: "/api/v1/surveys/" + v["invite"] + "/participants/export"}); status != 401 {
		t.Fatalf("export without a token: %d", status)
	}

	before := e.dump(t)
	status, hdr, body = e.do(t, request{Method: "GET", URL: "/optout/" + v["optout"]})
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(string(body), `<form method="post">`) {
		t.Fatalf("opt-out page: %d\n%s", status, body)
	}
	if e.dump(t) != before {
		t.Fatal("showing the opt-out page changed the database")
	}
	for _, bad := range []string{"nonsense", v["invite"] + "." + v["pid"] + ".aaaaaaaaaaaaaaaaaaaaaaaaaa"} {
		if status, _, body := e.do(t, request{Method: "POST", URL: "/optout/" + bad}); status != 404 || !strings.Contains(string(body), "not valid") {
			t.Fatalf("forged token %q: %d %s", bad, status, body)
		}
	}
	if e.dump(t) != before {
		t.Fatal("a forged token changed the database")
	}
	// RFC 8058 one-click: a POST with List-Unsubscribe=One-Click.
	status, _, _ = e.do(t, request{Method: "POST", URL: "/optout/" + v["optout"], Body: "List-Unsubscribe=One-Click", ContentType: "application/x-www-form-urlencoded"})
	if status != 200 {
		t.Fatalf("opt out: %d", status)
	}
	p, err := e.Svc.Participant(t.Context(), v["invite"], v["pid2"])
	if err != nil || p.OptedOutAt == nil || p.Status() != "opted_out" {
		t.Fatalf("after opting out: %+v, %v", p, err)
	}
	if p, _ := e.Svc.Participant(t.Context(), v["invite"], v["pid"]); p.OptedOutAt != nil {
		t.Fatal("another participant was opted out")
	}
	// Opted out: the invitation is not queued for them.
	body = e.mustDo(t, request{Method: "POST", URL: "/api/v1/surveys/" + v["invite"] + "/mailing/invitations", Authorization: bearer}, 202)
	if string(body) != `{"queued":1}` {
		t.Fatalf("invitations after an opt-out: %s", body)
	}
}

// TestParticipantAnonymity holds the promise of docs/security.md
// ("Participants and mailings"): completing writes nothing on the
// participant's row or its messages (so no completion time exists to
// match with submitted_at), no stored value names a response, and the
// personal code is not stored in the clear.
func TestParticipantAnonymity(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, testParticipantAnonymity)
}

func testParticipantAnonymity(t *testing.T, engine string) {
	e := newEnv(t, engine)
	v := participantFixture(t, e)
	ctx := t.Context()
	if _, err := e.Svc.SendInvitations(ctx, v["invite"]); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := e.Svc.NextMessage(ctx, "http://dyad.test")
		if err != nil {
			t.Fatal(err)
		}
		if m == nil {
			break
		}
		if err := e.Svc.MessageSent(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	mailingRows := func() string {
		var keep []string
		for _, l := range strings.Split(e.dump(t), "\n") {
			for _, table := range []string{"participants", "outbox", "mailings", "message_templates"} {
				if strings.HasPrefix(l, table+": ") || strings.HasPrefix(l, table+" (") {
					keep = append(keep, l)
				}
			}
		}
		return strings.Join(keep, "\n")
	}
	before := mailingRows()
	p, err := e.Svc.Participant(ctx, v["invite"], v["pid"])
	if err != nil {
		t.Fatal(err)
	}
	r := e.submit(t, v["invite"], submission(map[string]any{"invitation_code": e.Svc.ParticipantCode(p)}, nil), http.StatusCreated)
	if p, _ := e.Svc.Participant(ctx, v["invite"], v["pid"]); !p.Completed {
		t.Fatal("the participant is not completed")
	}
	after := mailingRows()
	if after != before {
		t.Fatalf("completing changed the participant's rows:\n%s", diffLines(before, after))
	}
	submittedAt := e.data.Strings(t, `SELECT CAST(submitted_at AS TEXT) FROM responses WHERE id = ?`, r.ID)
	if len(submittedAt) != 1 {
		t.Fatalf("submitted_at of the response: %v", submittedAt)
	}
	for _, secret := range []string{r.ID, submittedAt[0], e.Svc.ParticipantCode(p)} {
		if strings.Contains(after, secret) {
			t.Errorf("the mailing tables hold %q", secret)
		}
	}
	// Each engine's catalogue: SQLite's pragmas, PostgreSQL's
	// information_schema.
	foreignKeys, columns := `SELECT "table" FROM pragma_foreign_key_list(?)`, `SELECT name FROM pragma_table_info(?)`
	if engine == enginetest.Postgres {
		foreignKeys = `SELECT ccu.table_name FROM information_schema.table_constraints tc
			JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
			WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = ?`
		columns = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`
	}
	for _, table := range []string{"participants", "outbox", "mailings", "message_templates"} {
		cols := e.data.Strings(t, columns, table)
		if len(cols) == 0 {
			t.Fatalf("no columns read for %s", table)
		}
		for _, ref := range e.data.Strings(t, foreignKeys, table) {
			if ref != "surveys" && ref != "participants" {
				t.Errorf("%s has a foreign key to %s", table, ref)
			}
		}
		for _, c := range cols {
			if strings.Contains(c, "response") || strings.Contains(c, "complet") || strings.Contains(c, "submit") || c == "code" {
				t.Errorf("%s has column %q", table, c)
			}
		}
	}
	for _, c := range e.data.Strings(t, columns, "responses") {
		if strings.Contains(c, "particip") || strings.Contains(c, "email") {
			t.Errorf("responses has column %q", c)
		}
	}
}

// TestParticipantNotLinkedByTheDatabase holds docs/security.md
// ("Participants and mailings"): with the database alone (the inspection
// connection, no key file) a participant cannot be tied to their
// invitations row, and so not to their response. On PostgreSQL a response
// and the invitations row it spends or holds are written by one
// transaction and share the system column xmin; the test shows that this
// link exists, then that it stops there: no value of any participant row
// equals an invitations row's code hash or hold reference, so there is
// nothing to join a participant on.
func TestParticipantNotLinkedByTheDatabase(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, testParticipantNotLinkedByTheDatabase)
}

func testParticipantNotLinkedByTheDatabase(t *testing.T, engine string) {
	e := newEnv(t, engine)
	v := participantFixture(t, e)
	ctx := t.Context()
	ann, err := e.Svc.Participant(ctx, v["invite"], v["pid"])
	if err != nil {
		t.Fatal(err)
	}
	bob, err := e.Svc.Participant(ctx, v["invite"], v["pid2"])
	if err != nil {
		t.Fatal(err)
	}
	// Ann completes; Bob starts (his code is held by his response in
	// progress).
	r := e.submit(t, v["invite"], submission(map[string]any{"invitation_code": e.Svc.ParticipantCode(ann)}, nil), http.StatusCreated)
	if _, _, err := e.Svc.StartProgress(ctx, v["invite"], e.Svc.ParticipantCode(bob), ""); err != nil {
		t.Fatal(err)
	}
	if ann, _ := e.Svc.Participant(ctx, v["invite"], v["pid"]); !ann.Completed {
		t.Fatal("Ann is not completed")
	}
	if bob, _ := e.Svc.Participant(ctx, v["invite"], v["pid2"]); !bob.Started || bob.Completed {
		t.Fatalf("Bob is not started: %+v", bob)
	}

	db := e.data.SQL(t)
	// What identifies an invitations row: its hash and hold reference.
	rowValues := map[string]bool{}
	for _, q := range []string{`SELECT code_hash FROM invitations WHERE survey_id = ?`,
		`SELECT hold_ref FROM invitations WHERE survey_id = ? AND hold_ref IS NOT NULL`} {
		for _, b := range byteValues(t, db, e.data.Rebind(q), v["invite"]) {
			rowValues[string(b)] = true
			rowValues[hex.EncodeToString(b)] = true
		}
	}
	if len(rowValues) < 2*3 { // two participants' codes and Bob's hold reference, at least
		t.Fatalf("read %d identifying values of the invitations rows", len(rowValues))
	}
	if engine == enginetest.Postgres {
		// The half of the link that PostgreSQL gives away: the response's
		// transaction is the one that wrote Ann's invitations row.
		n := e.count(t, `SELECT count(*) FROM responses r JOIN invitations i ON i.survey_id = r.survey_id AND i.xmin::text = r.xmin::text
			WHERE r.id = ? AND i.spent = 1`, r.ID)
		if n != 1 {
			t.Fatalf("the response shares xmin with %d spent invitations rows; the test no longer shows the link it guards", n)
		}
	}
	// The other half must not exist: no column of any participant row
	// holds anything that identifies an invitations row.
	rows, err := db.Query(`SELECT * FROM participants`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		seen++
		for i, val := range vals {
			s := fmt.Sprint(val)
			if b, ok := val.([]byte); ok {
				s = string(b)
			}
			if rowValues[s] || rowValues[strings.ToLower(s)] {
				t.Errorf("participants.%s of %v equals an invitations row's hash or hold reference: the database links the participant to their response", cols[i], vals[0])
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != 2 {
		t.Fatalf("read %d participant rows", seen)
	}
}

// byteValues reads a one-column query of bytes on the inspection
// connection.
func byteValues(tb testing.TB, db *sql.DB, query string, args ...any) [][]byte {
	tb.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
