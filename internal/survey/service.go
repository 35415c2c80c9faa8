package survey

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sync"
	"time"
)

// Service holds the rules of Dyad's lifecycle: what a researcher may do to
// instruments and surveys, and what a respondent's submission must satisfy.
// Handlers call it; it calls the Store.
type Service struct {
	store Store
	// Now returns the current time; tests may replace it.
	Now func() time.Time

	// The caches below are per process. Whether they stay right when
	// several instances serve one database (PostgreSQL, issue 13):
	//
	//   - forms: safe. A published or retired version never changes. The
	//     one way a (key, version) can name other content is a delete of
	//     a version no survey uses and a new version under the same
	//     number; another instance may keep the old form until it
	//     restarts. With several instances that needs a key that changes
	//     with the content (the definition's digest, or created_at).
	//     A translation added to a version (SetTranslation) is the other
	//     change: the instance that stores it forgets its form at once;
	//     another instance offers the new language after it restarts.
	//     Until then it serves the languages it had, which stay right.
	//   - surveys: stale for at most SurveyCacheTTL. One instance's
	//     CloseSurvey drops its own entry at once; another instance's entry
	//     expires SurveyCacheTTL after it was read, and is read again. What
	//     is stored is right regardless: the store decides closedness
	//     inside the write of each response (surveyOpenAt in each driver),
	//     so a response submitted after the close, on any instance, is
	//     refused with the closed survey's conflict. What may be stale, for
	//     that bounded time, is what respondents see before they submit and
	//     what PublicSurvey returns. A notification of the close
	//     (PostgreSQL's LISTEN/NOTIFY) could shorten it to nothing; the
	//     expiry needs nothing from the engine and bounds it meanwhile.
	//
	// Dashboard sessions, once in memory here too, live in the store
	// (Sessions).
	mu    sync.RWMutex
	forms map[formKey]*Form // published versions never change, so never expire
	// surveys caches survey rows for the public paths. Every change to a
	// survey made through this process goes through CloseSurvey, which
	// drops the entry; changes made by another instance are seen when the
	// entry expires (surveyTTL; see above).
	surveys   map[string]cachedSurvey
	surveyTTL time.Duration
	// keys hash invitation codes (secret.go).
	keys invitationKeys
}

// cachedSurvey is a survey row read at some time, kept until expires.
type cachedSurvey struct {
	sv      *Survey
	expires time.Time
}

// SurveyCacheTTL is how long a Service keeps a survey row it has read
// before reading it again: the longest another instance's close or other
// change goes unseen by this one's respondent pages (see Service). A few
// seconds cost one indexed read per survey per interval.
const SurveyCacheTTL = 5 * time.Second

type formKey struct {
	key     string
	version int
}

// NewService returns a Service over the store.
func NewService(st Store, opts ...ServiceOption) *Service {
	s := &Service{store: st, Now: time.Now, forms: map[formKey]*Form{}, surveys: map[string]cachedSurvey{}, surveyTTL: SurveyCacheTTL}
	for _, o := range opts {
		o(s)
	}
	if s.keys.code == nil {
		// Without a key given, codes hash under a key of this Service
		// alone: fine for one process's tests and tools that never see a
		// code, wrong for a server (dyad serve always passes its key file).
		s.keys = deriveInvitationKeys(NewInvitationKey())
	}
	return s
}

// ServiceOption configures NewService.
type ServiceOption func(*Service)

// WithInvitationKey sets the server's invitation key, from which the keyed
// hashes of invitation codes are derived (secret.go). It must be the same
// on every start: a code issued under one key is unknown under another.
func WithInvitationKey(key []byte) ServiceOption {
	return func(s *Service) { s.keys = deriveInvitationKeys(key) }
}

// WithSurveyCacheTTL replaces SurveyCacheTTL (for tests of the expiry).
func WithSurveyCacheTTL(d time.Duration) ServiceOption {
	return func(s *Service) { s.surveyTTL = d }
}

// InvitationHash returns the stored form of a survey's invitation code:
// its keyed hash. Only the holder of the key can compute it.
func (s *Service) InvitationHash(surveyID, code string) []byte {
	return keyedHash(s.keys.code, surveyID, NormalizeCode(code))
}

// codeHashes returns the hashes a code's row may have, keyed first, then
// the plain SHA-256 of rows issued before keyed hashes.
func (s *Service) codeHashes(surveyID, code string) [2][]byte {
	code = NormalizeCode(code)
	return [2][]byte{keyedHash(s.keys.code, surveyID, code), HashSecret(code)}
}

// holdMark is the mark a code leaves on the web response it holds.
func (s *Service) holdMark(surveyID, code string) []byte {
	return keyedHash(s.keys.hold, surveyID, NormalizeCode(code))
}

// unknownCode tells whether err is the store's "not one of the survey's
// codes": the moment to try the next hash of the code.
func unknownCode(err error) bool { return ErrorCode(err) == EForbidden }

// now is the service's clock at the precision the store keeps
// (microseconds), so a response read back equals the one acknowledged.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// CreateInstrument validates and stores a new draft version in the
// default study (CreateInstrumentIn).
func (s *Service) CreateInstrument(ctx context.Context, in *Instrument) (*InstrumentVersion, error) {
	return s.CreateInstrumentIn(ctx, DefaultStudy, in)
}

// CreateInstrumentIn validates and stores a new draft version in a study:
// a new key joins the study; a key of another study is EConflict.
func (s *Service) CreateInstrumentIn(ctx context.Context, study int64, in *Instrument) (*InstrumentVersion, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	iv, err := s.store.CreateInstrumentInStudy(ctx, study, in, s.now())
	if ErrorCode(err) == EConflict {
		if have, ferr := s.store.FindStudyOfInstrument(ctx, in.Key); ferr == nil && have == study {
			return nil, s.versionExists(ctx, in.Key, in.Version, err)
		}
	}
	return iv, err
}

// versionExists says what to do instead of creating a version that
// exists: replace it while it is a draft, else post the next number.
func (s *Service) versionExists(ctx context.Context, key string, version int, err error) error {
	list, lerr := s.store.FindInstruments(ctx)
	if lerr != nil {
		return err
	}
	next, status := version+1, ""
	for _, v := range list {
		if v.Key == key {
			next = max(next, v.Version+1)
			if v.Version == version {
				status = v.Status
			}
		}
	}
	if status == StatusDraft {
		return Errorf(EConflict, "instrument %s version %d already exists as a draft: PUT /api/v1/instruments/%s/versions/%d replaces a draft; or post the change as version %d",
			key, version, key, version, next)
	}
	if status != "" {
		return Errorf(EConflict, "instrument %s version %d already exists and is %s, which never changes: post the change as version %d",
			key, version, status, next)
	}
	return err
}

// Instrument returns one version.
func (s *Service) Instrument(ctx context.Context, key string, version int) (*InstrumentVersion, error) {
	return s.store.FindInstrument(ctx, key, version)
}

// Instruments lists every version.
func (s *Service) Instruments(ctx context.Context) ([]InstrumentSummary, error) {
	return s.store.FindInstruments(ctx)
}

// UpdateDraft replaces a draft's definition; the body's key and version
// must be those of the path.
func (s *Service) UpdateDraft(ctx context.Context, key string, version int, in *Instrument) (*InstrumentVersion, error) {
	var p Problems
	if in.Key != key {
		p.Add("key", "must be %q, the key in the URL, got %q", key, in.Key)
	}
	if in.Version != version {
		p.Add("version", "must be %d, the version in the URL, got %d", version, in.Version)
	}
	if err := p.Err(EInvalid, "the instrument does not match the URL"); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.store.UpdateDraft(ctx, in)
}

// Publish makes a draft immutable and available to surveys.
func (s *Service) Publish(ctx context.Context, key string, version int) (*InstrumentVersion, error) {
	return s.store.SetInstrumentStatus(ctx, key, version, []string{StatusDraft}, StatusPublished, s.now())
}

// Retire stops a published version from getting new surveys; running
// surveys go on.
func (s *Service) Retire(ctx context.Context, key string, version int) (*InstrumentVersion, error) {
	return s.store.SetInstrumentStatus(ctx, key, version, []string{StatusPublished}, StatusRetired, s.now())
}

// DeleteInstrument removes a version that no survey uses.
func (s *Service) DeleteInstrument(ctx context.Context, key string, version int) error {
	err := s.store.DeleteInstrument(ctx, key, version)
	// The key and version may be created again with other content: forget
	// the old form.
	s.mu.Lock()
	delete(s.forms, formKey{key, version})
	s.mu.Unlock()
	return err
}

// SetTranslation adds or replaces a version's translation into lang, in
// any state: a translation renders the same questions to other readers,
// so it needs no new version (survey/translation.go has the rule). The
// version's form is built again on its next use.
func (s *Service) SetTranslation(ctx context.Context, key string, version int, lang string, tr Translation) (*InstrumentVersion, error) {
	iv, err := s.store.SetTranslation(ctx, key, version, lang, tr)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.forms, formKey{key, version})
	s.mu.Unlock()
	return iv, nil
}

// Form returns the indexed form of a published or retired version, from
// memory after the first call.
func (s *Service) Form(ctx context.Context, key string, version int) (*Form, error) {
	k := formKey{key, version}
	s.mu.RLock()
	f := s.forms[k]
	s.mu.RUnlock()
	if f != nil {
		return f, nil
	}
	iv, err := s.store.FindInstrument(ctx, key, version)
	if err != nil {
		return nil, err
	}
	f, err = NewForm(&iv.Instrument)
	if err != nil {
		return nil, fmt.Errorf("stored instrument %s v%d: %w", key, version, err)
	}
	if iv.Status != StatusDraft { // drafts change; only immutable versions are cached
		s.mu.Lock()
		s.forms[k] = f
		s.mu.Unlock()
	}
	return f, nil
}

// CreateSurvey deploys a published instrument version.
func (s *Service) CreateSurvey(ctx context.Context, n NewSurvey) (*Survey, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	iv, err := s.store.FindInstrument(ctx, n.InstrumentKey, n.InstrumentVersion)
	if err != nil {
		return nil, err
	}
	if n.StudyID != 0 {
		// An instrument of another study is not there for this one.
		if study, err := s.store.FindStudyOfInstrument(ctx, n.InstrumentKey); err != nil {
			return nil, err
		} else if study != n.StudyID {
			return nil, notFoundInStudy(n.InstrumentKey, n.InstrumentVersion)
		}
	}
	if iv.Status != StatusPublished {
		return nil, Errorf(EConflict, "instrument %s version %d is %s; only a published version can be deployed", iv.Key, iv.Version, iv.Status)
	}
	sv := &Survey{
		ID:                NewSurveyID(),
		InstrumentKey:     n.InstrumentKey,
		InstrumentVersion: n.InstrumentVersion,
		Title:             n.Title,
		PublicTitle:       n.PublicTitle,
		PublicDescription: n.PublicDescription,
		TimeZone:          n.TimeZone,
		Access:            n.Access,
		OpensAt:           utc(n.OpensAt),
		ClosesAt:          utc(n.ClosesAt),
		EndMessage:        n.EndMessage,
		EndRedirect:       n.EndRedirect,
		Mode:              n.Mode,
		Status:            SurveyOpen,
		CreatedAt:         s.now(),
	}
	// Respondents see the instrument's own title and introduction unless
	// the researcher gave others: never the internal name.
	if sv.PublicTitle == "" {
		sv.PublicTitle = iv.Instrument.Title
	}
	if sv.PublicDescription == "" {
		sv.PublicDescription = iv.Instrument.Introduction
	}
	if err := s.store.CreateSurvey(ctx, sv); err != nil {
		return nil, err
	}
	return sv, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Survey returns one survey with its response counts.
func (s *Service) Survey(ctx context.Context, id string) (*Survey, error) {
	sv, err := s.PublicSurvey(ctx, id)
	if err != nil {
		return nil, err
	}
	c := *sv
	c.Complete, c.InProgress, c.Test, err = s.store.CountResponses(ctx, id)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// PublicSurvey returns a survey without counts, from memory for
// SurveyCacheTTL after each read: it is read on every respondent request.
// The result is shared and must not be modified.
func (s *Service) PublicSurvey(ctx context.Context, id string) (*Survey, error) {
	s.mu.RLock()
	c, ok := s.surveys[id]
	s.mu.RUnlock()
	// Wall-clock time, not s.Now: tests move s.Now about, and the expiry
	// is about how long the row was kept.
	if ok && time.Now().Before(c.expires) {
		return c.sv, nil
	}
	sv, err := s.store.FindSurvey(ctx, id)
	if err != nil {
		return nil, err
	}
	// The pointer is the survey's version: the public API and the
	// respondent pages cache what they render by it. A row read again
	// unchanged keeps the pointer, or those caches would grow by an entry
	// per survey every SurveyCacheTTL.
	if ok && sameSurvey(c.sv, sv) {
		sv = c.sv
	}
	s.mu.Lock()
	s.surveys[id] = cachedSurvey{sv: sv, expires: time.Now().Add(s.surveyTTL)}
	s.mu.Unlock()
	return sv, nil
}

// sameSurvey reports whether two reads of a survey row hold the same
// values (the counts aside, which PublicSurvey does not read).
func sameSurvey(a, b *Survey) bool {
	sameTime := func(x, y *time.Time) bool { return x == nil && y == nil || x != nil && y != nil && x.Equal(*y) }
	return a.ID == b.ID && a.InstrumentKey == b.InstrumentKey && a.InstrumentVersion == b.InstrumentVersion &&
		a.Title == b.Title && a.Access == b.Access && a.Status == b.Status && a.CreatedAt.Equal(b.CreatedAt) &&
		a.PublicTitle == b.PublicTitle && a.PublicDescription == b.PublicDescription && a.TimeZone == b.TimeZone &&
		a.EndMessage == b.EndMessage && a.EndRedirect == b.EndRedirect && a.Mode == b.Mode &&
		sameTime(a.OpensAt, b.OpensAt) && sameTime(a.ClosesAt, b.ClosesAt) && sameTime(a.ClosedAt, b.ClosedAt)
}

// Surveys lists surveys.
func (s *Service) Surveys(ctx context.Context) ([]*Survey, error) {
	return s.store.FindSurveys(ctx)
}

// CloseSurvey stops a survey from taking responses.
func (s *Service) CloseSurvey(ctx context.Context, id string) (*Survey, error) {
	sv, err := s.store.CloseSurvey(ctx, id, s.now())
	s.forgetSurvey(id)
	return sv, err
}

// CreateInvitations makes count single-use codes for an invitation survey.
// The codes are returned once; only their keyed hashes are stored, in no
// order that follows the order of the codes.
func (s *Service) CreateInvitations(ctx context.Context, surveyID string, count int) ([]string, error) {
	if err := validateCount(count); err != nil {
		return nil, err
	}
	sv, err := s.store.FindSurvey(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	if sv.Access != AccessInvitation {
		return nil, Errorf(EConflict, "survey %s is open to anyone with the link; invitation codes apply only to invitation surveys", sv.ID)
	}
	codes := make([]string, count)
	hashes := make([][]byte, count)
	for i := range codes {
		codes[i] = NewInvitationCode()
		hashes[i] = s.InvitationHash(surveyID, codes[i])
	}
	if err := s.store.CreateInvitations(ctx, surveyID, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// InvitationCounts are a survey's invitation codes by state.
type InvitationCounts struct {
	// Issued codes; Spent by a submitted response; Held by a response in
	// progress.
	Issued, Spent, Held int
}

// CountInvitations counts an invitation survey's codes (ENotFound for an
// unknown survey, EConflict for an open-link one, which has none).
func (s *Service) CountInvitations(ctx context.Context, surveyID string) (InvitationCounts, error) {
	if _, err := s.invitationSurvey(ctx, surveyID); err != nil {
		return InvitationCounts{}, err
	}
	var n InvitationCounts
	var err error
	n.Issued, n.Spent, n.Held, err = s.store.CountInvitations(ctx, surveyID)
	return n, err
}

// Submit stores a complete response. It returns created false, with the
// stored response, when the same id was submitted before with the same
// content (a safe retry).
func (s *Service) Submit(ctx context.Context, surveyID string, sub Submission) (*Response, bool, error) {
	sv, err := s.PublicSurvey(ctx, surveyID)
	if err != nil {
		return nil, false, err
	}
	var p Problems
	if sub.ID != "" && !uuidPattern.MatchString(sub.ID) {
		p.Add("id", "must be a lower-case UUID such as 3f2c5a9e-8d1b-4c7a-9e2f-1b3d5c7e9a0b, got %q", sub.ID)
	}
	if err := p.Err(EInvalid, "the response is not valid"); err != nil {
		return nil, false, err
	}
	canonical := sub.Canonical
	if canonical == nil {
		canonical = sub.Answers.Canonical()
	}
	digest := submissionDigest(canonical)
	// A retry of an acknowledged submission must get its answer back even
	// when the survey has closed or the code is spent since.
	if sub.ID != "" {
		if prev, err := s.store.FindResponse(ctx, sub.ID); err == nil {
			return replay(prev, surveyID, digest)
		} else if ErrorCode(err) != ENotFound {
			return nil, false, err
		}
	}
	now := s.now()
	if err := sv.CheckOpen(now); err != nil {
		return nil, false, err
	}
	var codeHashes [2][]byte
	switch {
	case sv.Access == AccessInvitation && sub.InvitationCode == "":
		p.Add("invitation_code", "is required: this survey is by invitation only")
	case sv.Access == AccessInvitation:
		codeHashes = s.codeHashes(sv.ID, sub.InvitationCode)
	case sub.InvitationCode != "":
		p.Add("invitation_code", "must not be set: this survey is open to anyone with the link")
	}
	checkStartedAt(&p, sub.StartedAt, sv.CreatedAt, now)
	if err := p.Err(EInvalid, "the response is not valid"); err != nil {
		return nil, false, err
	}
	form, err := s.Form(ctx, sv.InstrumentKey, sv.InstrumentVersion)
	if err != nil {
		return nil, false, err
	}
	if err := form.Check(sub.Answers, false); err != nil {
		return nil, false, err
	}
	r := &Response{
		ID:                sub.ID,
		SurveyID:          sv.ID,
		InstrumentKey:     sv.InstrumentKey,
		InstrumentVersion: sv.InstrumentVersion,
		Status:            ResponseComplete,
		Answers:           sub.Answers,
		StartedAt:         now,
		SubmittedAt:       &now,
		Digest:            digest,
		AnswersJSON:       canonical,
	}
	if sub.StartedAt != nil {
		r.StartedAt = sub.StartedAt.UTC().Truncate(time.Microsecond)
	}
	if r.ID == "" {
		r.ID = NewUUID()
	}
	stored, created, err := s.store.CreateResponse(ctx, r, codeHashes[0])
	if unknownCode(err) {
		// Not a keyed code: perhaps one issued before keyed hashes. The
		// first attempt wrote nothing, so the second is as if alone.
		stored, created, err = s.store.CreateResponse(ctx, r, codeHashes[1])
	}
	if err != nil {
		return nil, false, err
	}
	if !created { // lost a race with a concurrent retry of the same id
		return replay(stored, surveyID, digest)
	}
	return stored, true, nil
}

// StartedAtSkew is how far before its survey's creation a client's
// started_at may lie.
//
// started_at comes from the respondent's device, the survey's created_at
// from the server; a response cannot really have started before its survey
// existed, but a device clock can be wrong, and whole hours wrong when its
// time zone is set wrongly (UTC offsets reach 14 hours). Rejecting a
// respondent's complete answers for that would lose data that is
// otherwise sound, while accepting the time inflates one duration by at
// most the skew. So the bound is generous: a day. It only ever bites in
// the survey's first day; what it rules out is the impossible, such as
// 0000-01-01, whose duration overflows every export. A started_at after
// the submission (now) is refused as before: a duration must not be
// negative.
const StartedAtSkew = 24 * time.Hour

// checkStartedAt records a problem at started_at unless it lies between
// the survey's creation (less StartedAtSkew) and now.
func checkStartedAt(p *Problems, started *time.Time, created, now time.Time) {
	switch {
	case started == nil:
	case started.After(now):
		p.Add("started_at", "must not be in the future")
	case started.Before(created.Add(-StartedAtSkew)):
		p.Add("started_at", "must not be before the survey was created (%s)", created.UTC().Format(time.RFC3339))
	}
}

func replay(prev *Response, surveyID string, digest []byte) (*Response, bool, error) {
	if prev.SurveyID != surveyID {
		return nil, false, Errorf(EConflict, "response id %s is already used by another survey; send a new id", prev.ID)
	}
	if !bytes.Equal(prev.Digest, digest) {
		return nil, false, Errorf(EConflict, "response %s was already submitted with different content", prev.ID)
	}
	return prev, false, nil
}

func submissionDigest(canonical []byte) []byte {
	h := sha256.Sum256(canonical)
	return h[:]
}

// NewUUID returns a new response id: a version 7 UUID (RFC 9562) in lower
// case, the time in milliseconds followed by 74 random bits.
//
// Why time first: the responses table is indexed by id, and a random id
// puts every new response in a different leaf of that index, so each
// response of a group commit rewrote a page of its own (about 4 KB into
// the WAL, and again into the main file at checkpoint). Ids that grow
// with time go into the index's last leaf, shared by the batch. The time
// says no more than the row holds already (started_at, submitted_at,
// both exported); the random bits keep ids unguessable, and the web
// form's order is drawn from a hash of the whole id (order.go).
func NewUUID() string {
	var b [16]byte
	randRead(b[6:])
	ms := uint64(time.Now().UnixMilli())
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	// Encoded in place rather than with fmt (six allocations): every
	// submission and every respondent's start makes one.
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

// Responses returns a page of a survey's responses.
func (s *Service) Responses(ctx context.Context, f ResponseFilter) ([]*Response, int64, error) {
	if _, err := s.store.FindSurvey(ctx, f.SurveyID); err != nil {
		return nil, 0, err
	}
	return s.store.FindResponses(ctx, f)
}
