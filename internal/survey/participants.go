package survey

// Participants of an invitation survey, their personal links, and what
// Dyad knows about each of them (issue: e-mail invitations and reminders).
//
// Anonymity is kept by what is NOT stored. A participant's personal
// invitation code is derived, not drawn: an HMAC of the survey and
// participant ids under a key derived from the server's invitation key,
// which lives in a file apart from the database (secret.go). So the code
// can be put in the invitation and again in every reminder without ever
// being stored in the clear, and the database keeps only the code's keyed
// hash, as for every other invitation code: the participant row holds the
// same hash as its row in invitations. A response holds no code and no
// participant; the invitation row that turns spent when the response is
// submitted has no time and no link to the response. Whether a
// participant completed is read from their invitation row (spent), at the
// moment it is asked, so no completion time is ever written anywhere.
// Started is the code being held by a response in progress.
//
// What an operator with database access can learn is in docs/security.md
// ("Participants and mailings").

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Participant is a person invited to an invitation survey.
type Participant struct {
	ID        string
	SurveyID  string
	Email     string // lower case, as compared for duplicates
	FirstName string
	LastName  string
	Language  string
	// Attributes are the custom columns of the upload, usable as merge
	// fields ({{name}}) in messages.
	Attributes map[string]string
	// CodeHash is the keyed hash of the participant's derived invitation
	// code, the same bytes as its invitations row: set by the Service for
	// the store, which keeps it only on the invitations row (never on the
	// participant's), and filled in on reads from the ParticipantHash.
	CodeHash  []byte
	CreatedAt time.Time

	// Tracking, read by the store, never written by callers. Contact
	// times are when Dyad sent a message: they say nothing of answers.
	InvitedAt     *time.Time // the invitation went out
	Reminders     int        // reminders sent
	LastContactAt *time.Time // the latest message that went out
	OptedOutAt    *time.Time
	BouncedAt     *time.Time
	Started       bool // the code is held by a response in progress, or spent
	Completed     bool // the code is spent; no time is kept for this
}

// Status is a participant's state in one word, for lists and exports:
// completed, started, opted_out, bounced, reminded, invited or new.
func (p *Participant) Status() string {
	switch {
	case p.Completed:
		return "completed"
	case p.OptedOutAt != nil:
		return "opted_out"
	case p.BouncedAt != nil:
		return "bounced"
	case p.Started:
		return "started"
	case p.Reminders > 0:
		return "reminded"
	case p.InvitedAt != nil:
		return "invited"
	}
	return "new"
}

// ParticipantUpdate changes a participant's contact fields; nil leaves a
// field as it is.
type ParticipantUpdate struct {
	Email, FirstName, LastName, Language *string
	Attributes                           map[string]string // replaces all when not nil
}

// Limits of participant lists: every upload and list stays bounded.
const (
	// MaxParticipantsPerSurvey bounds a survey's list.
	MaxParticipantsPerSurvey = 50_000
	// MaxParticipantRows bounds the data rows of one upload.
	MaxParticipantRows = 20_000
	// MaxParticipantUpload bounds an upload's size in bytes.
	MaxParticipantUpload = 1 << 20 // the server's limit on any request body
	// MaxParticipantAttributes bounds the custom columns.
	MaxParticipantAttributes = 20
	// MaxParticipantField bounds any one value.
	MaxParticipantField = 500
)

// Participant CSV columns with a meaning of their own; any other column is
// a custom attribute.
var participantColumns = []string{"email", "first_name", "last_name", "language"}

var (
	attributeName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	languageTag   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// RowProblem is one refused row of a participant upload.
type RowProblem struct {
	Row     int    // 1-based data row (the header is row 0)
	Line    int    // line in the file, for the researcher's editor
	Path    string // the row's field at fault, e.g. rows[3].email
	Message string
}

// ParticipantUpload is the outcome of parsing a CSV upload.
type ParticipantUpload struct {
	Participants []*Participant
	Problems     []RowProblem
}

// ParseParticipantsCSV reads a participant list: a header row naming the
// columns (email is required; first_name, last_name, language optional;
// any other column a custom attribute), then one participant per row. Every
// row problem is reported with its row (invalid address, duplicate within
// the file, wrong field count, bad value); file-level problems (no email
// column, too many rows or columns, not CSV) are an error. known holds the
// addresses already on the list, to report those rows as duplicates too.
func ParseParticipantsCSV(r io.Reader, known map[string]bool) (*ParticipantUpload, error) {
	cr := csv.NewReader(io.LimitReader(r, MaxParticipantUpload+1))
	cr.FieldsPerRecord = -1 // counted per row, to report the row
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, invalidUpload("", "the file is empty: the first row must name the columns (email, first_name, last_name, language, custom attributes)")
	}
	if err != nil {
		return nil, invalidUpload("", "not a CSV file: "+err.Error())
	}
	header = slices.Clone(header)
	var p Problems
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		header[i] = h
		_, dup := col[h]
		switch {
		case h == "":
			p.Add(fmt.Sprintf("header[%d]", i), "a column has no name")
		case !slices.Contains(participantColumns, h) && !attributeName.MatchString(h):
			p.Add(fmt.Sprintf("header[%d]", i), "column %q: a custom attribute's name is a lower-case letter then letters, digits or _ (at most 40), so that it can be a merge field", h)
		case dup:
			p.Add(fmt.Sprintf("header[%d]", i), "column %q appears twice", h)
		}
		if !dup {
			col[h] = i
		}
	}
	if _, ok := col["email"]; !ok {
		p.Add("header", "the required column email is missing (found: %s)", strings.Join(header, ", "))
	}
	if len(header)-countKnown(col) > MaxParticipantAttributes {
		p.Add("header", "at most %d custom attribute columns", MaxParticipantAttributes)
	}
	if err := p.Err(EInvalid, "the participant list's header is not valid"); err != nil {
		return nil, err
	}

	up := &ParticipantUpload{}
	seen := map[string]int{}
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return nil, invalidUpload(fmt.Sprintf("rows[%d]", row), fmt.Sprintf("line %d is not valid CSV: %v", perr.Line, perr.Err))
		}
		if err != nil {
			return nil, invalidUpload("", "not a CSV file: "+err.Error())
		}
		line, _ := cr.FieldPos(0) // only valid for a record read without error
		if row > MaxParticipantRows {
			return nil, invalidUpload("", fmt.Sprintf("at most %d participants per upload", MaxParticipantRows))
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		bad := func(field, msg string, args ...any) {
			path := fmt.Sprintf("rows[%d]", row)
			if field != "" {
				path += "." + field
			}
			up.Problems = append(up.Problems, RowProblem{Row: row, Line: line, Path: path, Message: fmt.Sprintf(msg, args...)})
		}
		if len(rec) != len(header) {
			bad("", "line %d has %d fields, the header %d (a missing or extra column)", line, len(rec), len(header))
			continue
		}
		pt := &Participant{Attributes: map[string]string{}}
		ok := true
		for i, v := range rec {
			v = strings.TrimSpace(v)
			name := header[i]
			if msg := fieldProblem(v); msg != "" {
				bad(name, "%s", msg)
				ok = false
				continue
			}
			switch name {
			case "email":
				pt.Email = v
			case "first_name":
				pt.FirstName = v
			case "last_name":
				pt.LastName = v
			case "language":
				pt.Language = v
			default:
				if v != "" {
					pt.Attributes[name] = v
				}
			}
		}
		if !ok {
			continue
		}
		if path, msg := checkParticipant(pt); msg != "" {
			bad(path, "line %d: %s", line, msg)
			continue
		}
		if first, dup := seen[pt.Email]; dup {
			bad("email", "line %d: %s is already on row %d of this file", line, pt.Email, first)
			continue
		}
		seen[pt.Email] = row
		if known[pt.Email] {
			bad("email", "line %d: %s is already a participant of this survey", line, pt.Email)
			continue
		}
		up.Participants = append(up.Participants, pt)
	}
	return up, nil
}

func countKnown(col map[string]int) int {
	n := 0
	for _, c := range participantColumns {
		if _, ok := col[c]; ok {
			n++
		}
	}
	return n
}

func invalidUpload(path, msg string) error {
	return &Error{Code: EInvalid, Message: "the participant list cannot be read", Details: []Detail{{Path: path, Message: msg}}}
}

// fieldProblem checks one value's size and characters.
func fieldProblem(v string) string {
	switch {
	case len(v) > MaxParticipantField:
		return fmt.Sprintf("longer than %d bytes", MaxParticipantField)
	case !utf8.ValidString(v):
		return "not valid UTF-8 (save the file as UTF-8)"
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "holds a control character"
	}
	return ""
}

// checkParticipant normalises and checks a participant's contact fields,
// returning the field at fault and why.
func checkParticipant(p *Participant) (path, msg string) {
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	switch {
	case p.Email == "":
		return "email", "the e-mail address is missing"
	case !validEmail(p.Email):
		return "email", fmt.Sprintf("%q is not an e-mail address", p.Email)
	case p.Language != "" && !languageTag.MatchString(p.Language):
		return "language", fmt.Sprintf("%q is not a language tag such as en or de-CH", p.Language)
	}
	for _, f := range []struct{ name, v string }{{"first_name", p.FirstName}, {"last_name", p.LastName}, {"language", p.Language}} {
		if msg := fieldProblem(f.v); msg != "" {
			return f.name, msg
		}
	}
	if len(p.Attributes) > MaxParticipantAttributes {
		return "attributes", fmt.Sprintf("at most %d custom attributes", MaxParticipantAttributes)
	}
	for k, v := range p.Attributes {
		if slices.Contains(participantColumns, k) || !attributeName.MatchString(k) {
			return "attributes." + k, "a custom attribute's name is a lower-case letter then letters, digits or _ (at most 40), and not email, first_name, last_name or language"
		}
		if msg := fieldProblem(v); msg != "" {
			return "attributes." + k, msg
		}
	}
	return "", ""
}

// validEmail accepts a bare address (no display name, no comments) with
// a dot in its domain: what a relay will deliver to.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// participantCode is the participant's personal invitation code, derived
// from the ids under the server's key: the same on every call, never
// stored.
func (s *Service) participantCode(surveyID, participantID string) string {
	m := hmac.New(sha256.New, s.keys.participant)
	m.Write([]byte(surveyID))
	m.Write([]byte{0})
	m.Write([]byte(participantID))
	c := crockfordEncoding.EncodeToString(m.Sum(nil))[:12]
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12]
}

// ParticipantCode returns a participant's personal invitation code, for
// the link in their messages.
func (s *Service) ParticipantCode(p *Participant) string { return s.participantCode(p.SurveyID, p.ID) }

// OptOutToken returns the token of a participant's opt-out link: the
// participant id and a MAC of it under a key derived from the server's
// key, so the link needs nothing stored and cannot be forged for another
// participant.
func (s *Service) OptOutToken(surveyID, participantID string) string {
	return surveyID + "." + participantID + "." + s.optOutMAC(surveyID, participantID)
}

func (s *Service) optOutMAC(surveyID, participantID string) string {
	m := hmac.New(sha256.New, s.keys.optOut)
	m.Write([]byte(surveyID))
	m.Write([]byte{0})
	m.Write([]byte(participantID))
	return strings.ToLower(crockfordEncoding.EncodeToString(m.Sum(nil))[:26])
}

// parseOptOutToken checks a token and returns its ids; ENotFound for any
// token this server did not make.
func (s *Service) parseOptOutToken(token string) (surveyID, participantID string, err error) {
	parts := strings.Split(token, ".")
	if len(parts) == 3 && hmac.Equal([]byte(parts[2]), []byte(s.optOutMAC(parts[0], parts[1]))) {
		return parts[0], parts[1], nil
	}
	return "", "", Errorf(ENotFound, "this opt-out link is not valid")
}

// newParticipantID is a random id: it says nothing of the order of upload.
func newParticipantID() string { return "p" + NewSurveyID() + NewSurveyID()[:6] }

// invitationSurvey returns the survey if participants apply to it.
func (s *Service) invitationSurvey(ctx context.Context, surveyID string) (*Survey, error) {
	sv, err := s.store.FindSurvey(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	if sv.Access != AccessInvitation {
		return nil, Errorf(EConflict, "survey %s is open to anyone with the link; participants apply only to invitation surveys", sv.ID)
	}
	return sv, nil
}

// prepareParticipant gives a new participant its id, code hash and
// creation time.
func (s *Service) prepareParticipant(surveyID string, p *Participant, at time.Time) {
	p.ID = newParticipantID()
	p.SurveyID = surveyID
	p.CreatedAt = at
	p.CodeHash = s.participantHash(surveyID, p.ID)
}

// participantHash is the keyed hash of a participant's invitation code:
// the database keeps it on the invitations row only, so only a holder of
// the key can tell which row is whose.
func (s *Service) participantHash(surveyID, participantID string) []byte {
	return s.InvitationHash(surveyID, s.participantCode(surveyID, participantID))
}

// participantHashes returns the ParticipantHash the Service gives the
// store for one call: participantHash's result, computed with two HMACs
// keyed once and reset for each participant, since the tracking page
// hashes every participant of the survey (10,000 in a fraction of the
// time of keying two new HMACs each). Not for concurrent use: each store
// call gets its own.
func (s *Service) participantHashes() ParticipantHash {
	codeMAC := hmac.New(sha256.New, s.keys.participant)
	hashMAC := hmac.New(sha256.New, s.keys.code)
	var sum [sha256.Size]byte
	var enc [52]byte // base32 of 32 bytes
	msg := make([]byte, 0, 64)
	return func(surveyID, participantID string) []byte {
		codeMAC.Reset()
		msg = append(append(append(msg[:0], surveyID...), 0), participantID...)
		codeMAC.Write(msg)
		crockfordEncoding.Encode(enc[:], codeMAC.Sum(sum[:0]))
		// The code as participantCode formats it, which NormalizeCode
		// leaves as it is (Crockford's alphabet has no I, L or O).
		msg = append(append(msg[:0], surveyID...), 0)
		msg = append(append(append(append(append(msg, enc[0:4]...), '-'), enc[4:8]...), '-'), enc[8:12]...)
		hashMAC.Reset()
		hashMAC.Write(msg)
		return hashMAC.Sum(nil)
	}
}

// ImportResult is what an upload did.
type ImportResult struct {
	Imported int
	Skipped  []RowProblem
}

// ImportParticipants adds the participants of a CSV upload. A file with
// any bad row imports nothing (EInvalid listing every row) unless
// skipBadRows, which imports the good rows and reports the others.
func (s *Service) ImportParticipants(ctx context.Context, surveyID string, r io.Reader, skipBadRows bool) (*ImportResult, error) {
	if _, err := s.invitationSurvey(ctx, surveyID); err != nil {
		return nil, err
	}
	existing, err := s.store.FindParticipants(ctx, surveyID, nil) // the addresses only
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(existing))
	for _, p := range existing {
		known[p.Email] = true
	}
	up, err := ParseParticipantsCSV(r, known)
	if err != nil {
		return nil, err
	}
	if len(up.Problems) > 0 && !skipBadRows {
		var p Problems
		for _, rp := range up.Problems {
			p.Add(rp.Path, "%s", rp.Message)
		}
		return nil, p.Err(EInvalid, fmt.Sprintf("%d rows of the participant list have problems; nothing was imported (fix them, or upload with skip_bad_rows=true to import the other rows)", len(up.Problems)))
	}
	if len(existing)+len(up.Participants) > MaxParticipantsPerSurvey {
		return nil, &Error{Code: EInvalid, Message: "too many participants", Details: []Detail{{Path: "", Message: fmt.Sprintf("a survey has at most %d participants", MaxParticipantsPerSurvey)}}}
	}
	at := s.now()
	for _, p := range up.Participants {
		s.prepareParticipant(surveyID, p, at)
	}
	if err := s.store.CreateParticipants(ctx, surveyID, up.Participants); err != nil {
		return nil, err
	}
	return &ImportResult{Imported: len(up.Participants), Skipped: up.Problems}, nil
}

// AddParticipant adds one participant; EConflict if the address is on the
// list already.
func (s *Service) AddParticipant(ctx context.Context, surveyID string, p *Participant) (*Participant, error) {
	if _, err := s.invitationSurvey(ctx, surveyID); err != nil {
		return nil, err
	}
	if path, msg := checkParticipant(p); msg != "" {
		return nil, &Error{Code: EInvalid, Message: "the participant is not valid", Details: []Detail{{Path: path, Message: msg}}}
	}
	s.prepareParticipant(surveyID, p, s.now())
	if err := s.store.CreateParticipants(ctx, surveyID, []*Participant{p}); err != nil {
		return nil, err
	}
	return s.store.FindParticipant(ctx, surveyID, p.ID, s.participantHashes())
}

// Participant returns one participant with its tracking.
func (s *Service) Participant(ctx context.Context, surveyID, id string) (*Participant, error) {
	return s.store.FindParticipant(ctx, surveyID, id, s.participantHashes())
}

// Participants lists a survey's participants with their tracking.
func (s *Service) Participants(ctx context.Context, surveyID string) ([]*Participant, error) {
	if _, err := s.invitationSurvey(ctx, surveyID); err != nil {
		return nil, err
	}
	return s.store.FindParticipants(ctx, surveyID, s.participantHashes())
}

// UpdateParticipant changes a participant's contact fields. The code does
// not change (it derives from the id), so links already sent keep working.
func (s *Service) UpdateParticipant(ctx context.Context, surveyID, id string, u ParticipantUpdate) (*Participant, error) {
	p, err := s.store.FindParticipant(ctx, surveyID, id, nil)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		to   *string
		from *string
	}{{&p.Email, u.Email}, {&p.FirstName, u.FirstName}, {&p.LastName, u.LastName}, {&p.Language, u.Language}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if u.Attributes != nil {
		p.Attributes = u.Attributes
	}
	if path, msg := checkParticipant(p); msg != "" {
		return nil, &Error{Code: EInvalid, Message: "the participant is not valid", Details: []Detail{{Path: path, Message: msg}}}
	}
	if err := s.store.UpdateParticipant(ctx, p); err != nil {
		return nil, err
	}
	return s.store.FindParticipant(ctx, surveyID, id, s.participantHashes())
}

// DeleteParticipant removes a participant and the messages queued for
// them; their code stops working unless it was used already (a spent
// code's row stays, so the survey's counts stay right).
func (s *Service) DeleteParticipant(ctx context.Context, surveyID, id string) error {
	return s.store.DeleteParticipant(ctx, surveyID, id, s.participantHash(surveyID, id))
}

// OptOut records a participant's opt-out from an opt-out link token: no
// message is sent to them afterwards, including those already queued.
// Opting out twice is fine. It returns the survey's title for the page.
func (s *Service) OptOut(ctx context.Context, token string) (*Survey, error) {
	surveyID, id, err := s.parseOptOutToken(token)
	if err != nil {
		return nil, err
	}
	sv, err := s.store.FindSurvey(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	if err := s.store.OptOutParticipant(ctx, surveyID, id, s.now()); err != nil {
		return nil, err
	}
	return sv, nil
}

// CheckOptOut tells whether a token is valid, for the page that asks for
// confirmation, without changing anything.
func (s *Service) CheckOptOut(ctx context.Context, token string) (*Survey, error) {
	surveyID, id, err := s.parseOptOutToken(token)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.FindParticipant(ctx, surveyID, id, nil); err != nil {
		return nil, err
	}
	return s.store.FindSurvey(ctx, surveyID)
}

// WriteParticipantsCSV writes a participant list with its statuses: the
// contact fields, the attributes (one column each, in name order) and the
// tracking, with no code and nothing of any response.
func WriteParticipantsCSV(w io.Writer, ps []*Participant) error {
	names := map[string]bool{}
	for _, p := range ps {
		for k := range p.Attributes {
			names[k] = true
		}
	}
	attrs := make([]string, 0, len(names))
	for k := range names {
		attrs = append(attrs, k)
	}
	slices.Sort(attrs)
	cw := csv.NewWriter(w)
	header := append([]string{"id", "email", "first_name", "last_name", "language"}, attrs...)
	header = append(header, "status", "invited_at", "reminders", "last_contact_at", "opted_out_at", "bounced_at", "started", "completed")
	if err := cw.Write(header); err != nil {
		return err
	}
	tm := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	yn := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	rec := make([]string, 0, len(header))
	for _, p := range ps {
		rec = append(rec[:0], p.ID, csvSafe(p.Email), csvSafe(p.FirstName), csvSafe(p.LastName), csvSafe(p.Language))
		for _, k := range attrs {
			rec = append(rec, csvSafe(p.Attributes[k]))
		}
		rec = append(rec, p.Status(), tm(p.InvitedAt), fmt.Sprint(p.Reminders), tm(p.LastContactAt), tm(p.OptedOutAt), tm(p.BouncedAt), yn(p.Started), yn(p.Completed))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading an uploaded value as a formula
// (CSV injection): a leading =, +, - or @ gets a quote mark before it.
func csvSafe(v string) string {
	if v != "" && bytes.ContainsAny([]byte{v[0]}, "=+-@") {
		return "'" + v
	}
	return v
}

// ParticipantCounts are a survey's participants by state.
type ParticipantCounts struct {
	Total, Invited, Reminded, OptedOut, Bounced, Started, Completed int
}

// CountParticipants tallies a list; each participant counts in every state
// that applies (a reminded participant was invited too).
func CountParticipants(ps []*Participant) ParticipantCounts {
	var c ParticipantCounts
	for _, p := range ps {
		c.Total++
		inc := func(n *int, b bool) {
			if b {
				*n++
			}
		}
		inc(&c.Invited, p.InvitedAt != nil)
		inc(&c.Reminded, p.Reminders > 0)
		inc(&c.OptedOut, p.OptedOutAt != nil)
		inc(&c.Bounced, p.BouncedAt != nil)
		inc(&c.Started, p.Started)
		inc(&c.Completed, p.Completed)
	}
	return c
}
