package survey

import (
	"bytes"
	"html"
	"strings"
	"testing"
)

func TestParseParticipantsCSV(t *testing.T) {
	csv := "\ufeffEmail,first_name,last_name,language,site\n" +
		"ann@example.org,Ann,A,en,North\n" +
		"not-an-address,Bob,B,en,North\n" + // row 2: invalid address
		"ANN@example.org,Ann,Again,en,South\n" + // row 3: duplicate in the file
		"cy@example.org,Cy\n" + // row 4: missing columns
		"known@example.org,Kay,K,,\n" + // row 5: already a participant
		"dee@example.org,Dee,D,xx_YY,\n" + // row 6: bad language
		"\n" +
		"eve@example.org,=cmd(),E,de-CH,\n"
	up, err := ParseParticipantsCSV(strings.NewReader(csv), map[string]bool{"known@example.org": true})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Participants) != 2 || up.Participants[0].Email != "ann@example.org" || up.Participants[0].Attributes["site"] != "North" ||
		up.Participants[1].Language != "de-CH" {
		t.Fatalf("participants %+v", up.Participants)
	}
	want := []string{"rows[2].email", "rows[3].email", "rows[4]", "rows[5].email", "rows[6].language"}
	if len(up.Problems) != len(want) {
		t.Fatalf("problems %+v", up.Problems)
	}
	for i, p := range up.Problems {
		if p.Path != want[i] {
			t.Errorf("problem %d at %s (%s), want %s", i, p.Path, p.Message, want[i])
		}
	}
	if up.Problems[2].Line != 5 {
		t.Errorf("missing columns reported at line %d, want 5", up.Problems[2].Line)
	}

	for name, tc := range map[string]struct{ in, path string }{
		"NoEmailColumn":   {"name,site\nx,y\n", "header"},
		"BadColumnName":   {"email,Site Name\n", "header[1]"},
		"DuplicateColumn": {"email,site,site\n", "header[2]"},
		"Empty":           {"", ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseParticipantsCSV(strings.NewReader(tc.in), nil)
			var e *Error
			if !asError(err, &e) || e.Code != EInvalid || len(e.Details) == 0 || e.Details[0].Path != tc.path {
				t.Fatalf("error %#v, want EInvalid at %q", err, tc.path)
			}
		})
	}
	t.Run("TooManyRows", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("email\n")
		for i := range MaxParticipantRows + 1 {
			b.WriteString("p")
			b.WriteString(strings.Repeat("x", i%7))
			b.WriteString("@example.org\n")
		}
		if _, err := ParseParticipantsCSV(strings.NewReader(b.String()), nil); ErrorCode(err) != EInvalid {
			t.Fatalf("error %v", err)
		}
	})
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

func TestWriteParticipantsCSVNoFormulas(t *testing.T) {
	var b strings.Builder
	if err := WriteParticipantsCSV(&b, []*Participant{{ID: "p1", Email: "a@example.org", FirstName: "=HYPERLINK(1)", Attributes: map[string]string{"site": "@x"}}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "'=HYPERLINK(1)") || !strings.Contains(out, "'@x") || !strings.HasPrefix(out, "id,email,first_name,last_name,language,site,status,") {
		t.Fatalf("export:\n%s", out)
	}
}

func TestTemplates(t *testing.T) {
	values := func(n string) string {
		return map[string]string{"first_name": "<Ann & Co>", "survey_link": "https://x/s/a?code=A"}[n]
	}
	got := render("Hi {{first_name}}, {{ survey_link }} {{missing}}.", values, func(s string) string { return s })
	if got != "Hi <Ann & Co>, https://x/s/a?code=A ." {
		t.Fatalf("text %q", got)
	}
	if got := render("<p>{{first_name}}</p>", values, htmlEscape); got != "<p>&lt;Ann &amp; Co&gt;</p>" {
		t.Fatalf("html %q", got)
	}
	for name, tc := range map[string]struct {
		t    MessageTemplate
		path string
	}{
		"Unclosed":  {MessageTemplate{Kind: MessageInvitation, Subject: "s {{first_name", Text: "{{survey_link}} {{opt_out_link}}"}, "subject"},
		"BadField":  {MessageTemplate{Kind: MessageInvitation, Subject: "s", Text: "{{survey_link}} {{opt_out_link}} {{Bad Name}}"}, "text"},
		"NoLink":    {MessageTemplate{Kind: MessageInvitation, Subject: "s", Text: "{{opt_out_link}}"}, "text"},
		"NoOptOut":  {MessageTemplate{Kind: MessageReminder, Subject: "s", Text: "{{survey_link}}"}, "text"},
		"BadKind":   {MessageTemplate{Kind: "letter", Subject: "s", Text: "{{survey_link}} {{opt_out_link}}"}, "kind"},
		"Multiline": {MessageTemplate{Kind: MessageInvitation, Subject: "a\nb", Text: "{{survey_link}} {{opt_out_link}}"}, "subject"},
	} {
		t.Run(name, func(t *testing.T) {
			err := validateTemplate(&tc.t)
			var e *Error
			if !asError(err, &e) || e.Details[0].Path != tc.path {
				t.Fatalf("error %v, want a problem at %s", err, tc.path)
			}
		})
	}
	if err := validateTemplate(&MessageTemplate{Kind: MessageInvitation, Subject: "s", Text: "{{survey_link}} {{opt_out_link}}", HTML: "<a href=\"{{survey_link}}\">go</a>"}); err != nil {
		t.Fatal(err)
	}
}

// TestParticipantHashes: the store's hasher (two HMACs reused) gives the
// hash of the code in the participant's link, the one its invitations row
// has, however often it is called and whatever the ids' lengths.
func TestParticipantHashes(t *testing.T) {
	s := NewService(nil, WithInvitationKey(append(make([]byte, 31), 7)))
	hash := s.participantHashes()
	ids := []string{"p1", "p2", strings.Repeat("x", 200), "", "p1"}
	seen := map[string]bool{}
	for _, sv := range []string{"s1", "a-longer-survey-id-than-the-buffer-" + strings.Repeat("s", 80)} {
		for _, id := range ids {
			want := s.InvitationHash(sv, s.ParticipantCode(&Participant{SurveyID: sv, ID: id}))
			if got := hash(sv, id); !bytes.Equal(got, want) {
				t.Fatalf("hash(%q, %q) = %x, want %x", sv, id, got, want)
			}
			seen[string(want)] = true
		}
	}
	if len(seen) != 2*(len(ids)-1) {
		t.Fatalf("%d distinct hashes", len(seen))
	}
}

func TestParticipantCodeAndOptOut(t *testing.T) {
	a := NewService(nil, WithInvitationKey(make([]byte, 32)))
	b := NewService(nil, WithInvitationKey(append(make([]byte, 31), 1)))
	c1, c2 := a.participantCode("s1", "p1"), a.participantCode("s1", "p1")
	if c1 != c2 || len(c1) != 14 || NormalizeCode(c1) != c1 {
		t.Fatalf("codes %q %q", c1, c2)
	}
	if c1 == a.participantCode("s1", "p2") || c1 == a.participantCode("s2", "p1") || c1 == b.participantCode("s1", "p1") {
		t.Fatal("a code does not depend on the survey, participant and key")
	}
	tok := a.OptOutToken("s1", "p1")
	if sv, p, err := a.parseOptOutToken(tok); err != nil || sv != "s1" || p != "p1" {
		t.Fatalf("parse %q: %v %v %v", tok, sv, p, err)
	}
	for _, bad := range []string{b.OptOutToken("s1", "p1"), strings.Replace(tok, "p1", "p2", 1), "", "a.b", tok + "x"} {
		if _, _, err := a.parseOptOutToken(bad); ErrorCode(err) != ENotFound {
			t.Errorf("token %q accepted", bad)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	prev := RetryDelay(1)
	for n := 2; n <= MaxAttempts; n++ {
		d := RetryDelay(n)
		if d < prev || d > 2*60*60*1e9 {
			t.Fatalf("RetryDelay(%d) = %v after %v", n, d, prev)
		}
		prev = d
	}
}

func htmlEscape(s string) string { return html.EscapeString(s) }

func TestPickTemplate(t *testing.T) {
	ts := []*MessageTemplate{
		{Kind: MessageInvitation, Language: "", Subject: "default"},
		{Kind: MessageInvitation, Language: "de", Subject: "de"},
		{Kind: MessageInvitation, Language: "de-CH", Subject: "de-CH"},
		{Kind: MessageReminder, Language: "fr", Subject: "fr reminder"},
	}
	for _, tc := range []struct{ kind, lang, want string }{
		{MessageInvitation, "de-CH", "de-CH"}, {MessageInvitation, "de-AT", "de"}, {MessageInvitation, "DE", "de"},
		{MessageInvitation, "fr", "default"}, {MessageInvitation, "", "default"},
		{MessageReminder, "fr-BE", "fr reminder"}, {MessageReminder, "en", ""},
	} {
		got := pickTemplate(ts, tc.kind, tc.lang)
		if (got == nil && tc.want != "") || (got != nil && got.Subject != tc.want) {
			t.Errorf("pickTemplate(%s, %q) = %v, want %q", tc.kind, tc.lang, got, tc.want)
		}
	}
}

func FuzzParseParticipantsCSV(f *testing.F) {
	f.Add("email,first_name,site\na@example.org,A,1\nbad,B\n\"unterminated\n")
	f.Add("\ufeffEMAIL;name\nx@y.z;1\n")
	f.Add("email\n" + strings.Repeat("a@b.cd\n", 3))
	f.Fuzz(func(t *testing.T, in string) {
		up, err := ParseParticipantsCSV(strings.NewReader(in), map[string]bool{"a@b.cd": true})
		if err != nil {
			if ErrorCode(err) != EInvalid {
				t.Fatalf("error %v is not EInvalid", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range up.Participants {
			if !validEmail(p.Email) || seen[p.Email] || p.Email == "a@b.cd" {
				t.Fatalf("accepted %+v", p)
			}
			seen[p.Email] = true
		}
		for _, rp := range up.Problems {
			if !strings.HasPrefix(rp.Path, "rows[") || rp.Row < 1 {
				t.Fatalf("problem %+v", rp)
			}
		}
	})
}
