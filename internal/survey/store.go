package survey

import (
	"context"
	"time"
)

// Store is what the domain needs from persistent storage. Each driver
// (internal/store/sqlite today) implements all of it, and the conformance
// suite internal/store/storetest holds every driver to the same contract;
// the rules about what may change when live in Service, except where only
// the database can decide atomically (a unique id, a code spent once, a
// version with surveys, a survey closed before a response is written).
//
// What only some engines can do is not here but in optional capabilities
// that callers look for with a type assertion (Backuper).
//
// Methods return *Error with ENotFound or EConflict for the expected
// failures, and wrapped errors (EInternal) for everything else.
type Store interface {
	// CreateInstrument stores a new draft version; EConflict if the key and
	// version exist.
	CreateInstrument(ctx context.Context, in *Instrument, at time.Time) (*InstrumentVersion, error)
	// FindInstrument returns one version.
	FindInstrument(ctx context.Context, key string, version int) (*InstrumentVersion, error)
	// FindInstruments lists every version, by key then version.
	FindInstruments(ctx context.Context) ([]InstrumentSummary, error)
	// UpdateDraft replaces the definition of a draft; EConflict if the
	// version is no longer a draft.
	UpdateDraft(ctx context.Context, in *Instrument) (*InstrumentVersion, error)
	// SetTranslation sets the lang translation of a version in any state
	// and adds lang to its languages (Instrument.WithTranslation), nothing
	// else of the definition changing; ENotFound for an unknown version,
	// EInvalid (with every problem) for a translation that is not
	// complete, has extra texts, or is of the default language.
	SetTranslation(ctx context.Context, key string, version int, lang string, tr Translation) (*InstrumentVersion, error)
	// SetInstrumentStatus moves a version from one of the states in from to
	// the state to; EConflict if it is in another state.
	SetInstrumentStatus(ctx context.Context, key string, version int, from []string, to string, at time.Time) (*InstrumentVersion, error)
	// DeleteInstrument removes a version; EConflict if surveys use it.
	DeleteInstrument(ctx context.Context, key string, version int) error

	// CreateSurvey stores a survey for a published instrument version.
	CreateSurvey(ctx context.Context, s *Survey) error
	// FindSurvey returns one survey, without response counts.
	FindSurvey(ctx context.Context, id string) (*Survey, error)
	// CountResponses counts a survey's complete and in-progress live
	// responses, and its responses made in test mode (any status).
	CountResponses(ctx context.Context, surveyID string) (complete, inProgress, test int, err error)
	// CountInvitations counts a survey's invitation codes: issued, spent
	// by a submitted response, and held by a response in progress.
	CountInvitations(ctx context.Context, surveyID string) (issued, spent, held int, err error)
	// FindSurveys lists surveys, newest first, with their response counts.
	FindSurveys(ctx context.Context) ([]*Survey, error)
	// CloseSurvey closes an open survey (closing a closed one is a no-op).
	CloseSurvey(ctx context.Context, id string, at time.Time) (*Survey, error)
	// UpdateSurvey writes the settings of s (title, public title and
	// description, time zone, opens_at, closes_at, end message and
	// redirect; never access or status) and, with reopen, sets a closed
	// survey open again (closed_at cleared). It returns the stored row;
	// ENotFound if there is none.
	UpdateSurvey(ctx context.Context, s *Survey, reopen bool) (*Survey, error)
	// DeleteSurvey deletes a survey, its invitation codes and its
	// responses made in test mode; ENotFound if none, EConflict if it has
	// any live response.
	DeleteSurvey(ctx context.Context, id string) error
	// SetSurveyMode sets a survey's mode; with deleteTest, in the same
	// transaction, it deletes the survey's responses made in test mode.
	// It returns the survey as stored and how many responses it deleted;
	// ENotFound if none.
	SetSurveyMode(ctx context.Context, id, mode string, deleteTest bool) (*Survey, int, error)
	// DeleteTestResponses deletes a survey's responses made in test mode
	// and returns how many; ENotFound if there is no such survey.
	DeleteTestResponses(ctx context.Context, surveyID string) (int, error)
	// CreateInvitations stores the keyed hashes of new single-use codes
	// (Service.InvitationHash).
	CreateInvitations(ctx context.Context, surveyID string, hashes [][]byte) error

	// CreateResponse stores a response in one transaction, spending the
	// invitation code with the given hash when codeHash is not nil
	// (EForbidden unknown, EConflict spent or held by a web response in
	// progress). If a
	// response with the same id exists, nothing is written and it is
	// returned with created false; the caller compares digests.
	CreateResponse(ctx context.Context, r *Response, codeHash []byte) (stored *Response, created bool, err error)
	// FindResponse returns one response.
	FindResponse(ctx context.Context, id string) (*Response, error)
	// FindResponses returns a page of responses and the cursor of the last.
	FindResponses(ctx context.Context, f ResponseFilter) ([]*Response, int64, error)

	// Save and resume for the web form (progress.go).

	// CheckInvitation returns nil if codeHash is an unspent code of the
	// survey that no response in progress holds, EForbidden if it is none
	// of its codes, EConflict if spent or held (ErrCodeInUse). It changes
	// nothing.
	CheckInvitation(ctx context.Context, surveyID string, codeHash []byte) error
	// CreateProgress stores a new in-progress response, to be found again
	// by the hash of its resume token. With a hold, in the same
	// transaction, it takes the invitation code (EForbidden unknown,
	// EConflict spent, or held unless hold.Discard, which deletes the
	// holder) and marks the new response as its holder.
	CreateProgress(ctx context.Context, p *Progress, resumeHash []byte, hold *Hold) error
	// FindProgress returns the survey's response whose resume token has
	// the given hash, in progress or complete; ENotFound if none.
	FindProgress(ctx context.Context, surveyID string, resumeHash []byte) (*Progress, error)
	// SaveProgress replaces the answers, digest and update time of an
	// in-progress response; EConflict if it is no longer in progress.
	SaveProgress(ctx context.Context, p *Progress) error
	// CompleteProgress turns an in-progress response complete with r's
	// answers, digest and submission time, erasing its sealed code and hold
	// mark and spending (and releasing) the invitation code with codeHash
	// (when not nil) in the same transaction (EForbidden unknown, EConflict
	// spent). It returns false, writing nothing, if the response was
	// complete already.
	CompleteProgress(ctx context.Context, r *Response, codeHash []byte) (created bool, err error)
	// DeleteAbandoned deletes, in one write, up to limit responses still
	// in progress whose last save is before before, oldest first, and
	// releases the invitation codes they held: the invitation whose hold
	// reference (Hold.Ref) is ref(surveyID, mark) of a deleted response's
	// hold mark becomes free to start or submit again. Complete responses
	// are never touched. It returns how many responses it deleted
	// (abandoned.go).
	DeleteAbandoned(ctx context.Context, before time.Time, limit int, ref func(surveyID string, mark []byte) []byte) (int, error)

	// FindTextAnswers returns a page of answers to a free-text item and the
	// cursor of the next page, 0 when there is none (results.go).
	FindTextAnswers(ctx context.Context, f TextAnswerFilter) ([]TextAnswer, int64, error)

	// Exports stream the responses.
	ResponseScanner
	// The deployment's own few values.
	Settings
	// The dashboard's sign-ins.
	Sessions
	// Participants and their e-mails (mailing.go).
	MailingStore
	// Researchers' accounts, roles and API tokens.
	Accounts
	// The append-only record of researchers' actions.
	AuditTrail
	// Failed-authentication budgets (backoff.go).
	AuthFailures
	// Studies and the instrument keys in each (studies.go).
	StudyStore
}

// Setting names (Settings).
const (
	// SettingAdminTokenHash holds the SHA-256 of the researcher token.
	SettingAdminTokenHash = "admin_token_sha256"
	// SettingWebKey holds the key that signs the respondent pages' CSRF
	// tokens, kept so that pages open across a restart stay valid.
	SettingWebKey = "web_csrf_key"
	// SettingInvitationKeyCheck holds a one-way check value of the
	// invitation key (never the key: it lives in a file apart from the
	// database), to refuse a start with the wrong key file.
	SettingInvitationKeyCheck = "invitation_key_check"
	// SettingStudySurvey holds the id of the survey the first start opened
	// for the shipped study, so that a later start does not open another
	// (cmd/dyad).
	SettingStudySurvey = "study_survey_id"
)

// Settings keeps a deployment's few named values (the Setting* names):
// stored with the data so that every instance started on the same database
// agrees on them.
type Settings interface {
	// Setting returns a stored setting, or nil (and no error) when it was
	// never set.
	Setting(ctx context.Context, name string) ([]byte, error)
	// PutSetting stores a setting, replacing any earlier value.
	PutSetting(ctx context.Context, name string, value []byte) error
}

// Session is a dashboard sign-in as stored: known only by the SHA-256 of
// its id (the cookie's value), so that the stored rows cannot be replayed
// as cookies.
type Session struct {
	IDHash    []byte
	CreatedAt time.Time
	SeenAt    time.Time // last use, at the precision the caller touches it
	// UserID is the account signed in, 0 for the holder of the
	// researcher token.
	UserID int64
}

// SessionLimits bound the session table at each sign-in.
type SessionLimits struct {
	// Sessions last seen before IdleBefore, or created before
	// CreatedBefore, have expired and are deleted.
	IdleBefore, CreatedBefore time.Time
	// Max is the most sessions kept, the new one included: when the table
	// is full, the sessions used least recently make room.
	Max int
}

// Sessions keeps the dashboard's sign-ins in storage, so that they survive
// a restart and every instance on the same database knows them. Lifetimes
// are the caller's rule (internal/admin); the store applies the bounds it
// is given in the same transaction as the sign-in.
type Sessions interface {
	// CreateSession deletes the expired sessions and, if the table holds
	// Max or more, the least recently seen ones beyond Max-1, then stores
	// s; all in one transaction.
	CreateSession(ctx context.Context, s *Session, lim SessionLimits) error
	// FindSession returns the session with the given id hash; ENotFound
	// if none.
	FindSession(ctx context.Context, idHash []byte) (*Session, error)
	// TouchSession sets a session's last use to at; ENotFound if none.
	TouchSession(ctx context.Context, idHash []byte, at time.Time) error
	// DeleteSession deletes a session; deleting an unknown one does
	// nothing.
	DeleteSession(ctx context.Context, idHash []byte) error
}

// Backuper is an optional capability of a Store: a consistent copy of
// the whole database, taken while it serves, as a file that the same
// driver opens as is. Callers check for it with a type assertion; a store
// without it leaves backups to its engine's own tools.
type Backuper interface {
	// Backup writes the copy to out, which must not exist.
	Backup(ctx context.Context, out string) error
}

// ExportFilter selects the responses of one survey for an export, in
// arrival order.
type ExportFilter struct {
	SurveyID string
	Status   string // "" means every status
	// IncludeTest includes responses made in test mode.
	IncludeTest bool
	// Since and Until bound the submission time: Since <= submitted_at <
	// Until. A response without a submission time (in progress) is left
	// out when either is set.
	Since, Until *time.Time
	// RawAnswers asks for each response's answers as stored, in
	// AnswersJSON (the encoding of Answers.Canonical), leaving Answers
	// empty: for callers that read them with EachCanonicalAnswer rather
	// than pay for a map per response.
	RawAnswers bool
}

// ResponseScanner streams a survey's responses, for exports of any size.
type ResponseScanner interface {
	// ScanResponses calls fn for every response that matches, in arrival
	// order, from one consistent snapshot of the data. The *Response and
	// its Answers are reused between calls: fn must not keep them. It stops
	// at the first error from fn and returns it, and stops with ctx's error
	// when ctx is cancelled.
	ScanResponses(ctx context.Context, f ExportFilter, fn func(*Response) error) error
}
