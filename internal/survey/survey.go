package survey

import (
	"fmt"
	"time"
)

// Survey access modes.
const (
	AccessOpen       = "open"       // anyone with the link may answer
	AccessInvitation = "invitation" // each response needs an unspent invitation code
)

// Survey states.
const (
	SurveyOpen   = "open"
	SurveyClosed = "closed"
)

// Survey modes: responses made in test mode are marked and left out of
// exports and statistics unless asked for (settings.go).
const (
	ModeLive = "live"
	ModeTest = "test"
)

// Response states.
const (
	ResponseComplete   = "complete"
	ResponseInProgress = "in_progress"
)

// Survey deploys one published instrument version to respondents.
type Survey struct {
	ID                string
	InstrumentKey     string
	InstrumentVersion int
	// Title is the internal name, for the researcher's lists and exports;
	// respondents never see it (settings.go).
	Title string
	// PublicTitle and PublicDescription are what respondents see.
	PublicTitle       string
	PublicDescription string
	// TimeZone is the IANA name that plain dates are read in and that
	// answers state times in.
	TimeZone string
	Access   string
	OpensAt  *time.Time
	ClosesAt *time.Time
	// EndMessage is shown after the last page; EndRedirect, when set,
	// is where respondents are sent instead (nothing about the response
	// is added to it).
	EndMessage  string
	EndRedirect string
	// Mode is ModeTest while the researcher tries the survey out.
	Mode      string
	Status    string
	CreatedAt time.Time
	ClosedAt  *time.Time
	// Counts are filled by list and find queries: Complete and
	// InProgress count live responses, Test those made in test mode.
	Complete   int
	InProgress int
	Test       int
}

// Availability says whether a survey takes responses at a given moment.
type Availability uint8

// Availabilities of a survey.
const (
	Accepting    Availability = iota // open now
	NotYetOpen                       // opens_at is in the future
	NoLongerOpen                     // closed by the researcher or past closes_at
)

// Availability is the open/closed rule, the one place it is written: it
// tells whether the survey takes responses at t, and if not, whether it
// has yet to open or has closed (the respondent's page differs).
//
// Precedence: closed wins. A researcher's close is final whatever the
// dates say, so it comes first; then a closes_at that has passed, then an
// opens_at still ahead. A survey whose window lies wholly in the past is
// "closed", never "not yet open": NewSurvey.Validate refuses opens_at at
// or after closes_at, but a row that broke that (edited by hand, or from
// an older version) must still never be offered to respondents as
// upcoming once its end has passed.
func (s *Survey) Availability(t time.Time) Availability {
	switch {
	case s.Status != SurveyOpen:
		return NoLongerOpen
	case s.ClosesAt != nil && !t.Before(*s.ClosesAt):
		return NoLongerOpen
	case s.OpensAt != nil && t.Before(*s.OpensAt):
		return NotYetOpen
	}
	return Accepting
}

// CheckOpen returns nil when the survey takes responses at t, else an
// EConflict *Error saying why not. It decides by Availability.
func (s *Survey) CheckOpen(t time.Time) error {
	switch s.Availability(t) {
	case NoLongerOpen:
		if s.Status != SurveyOpen {
			return Errorf(EConflict, "survey %s is closed", s.ID)
		}
		return Errorf(EConflict, "survey %s closed at %s", s.ID, s.ClosesAt.UTC().Format(time.RFC3339))
	case NotYetOpen:
		return Errorf(EConflict, "survey %s opens at %s", s.ID, s.OpensAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// NewSurvey is what a researcher supplies to deploy a survey.
type NewSurvey struct {
	InstrumentKey     string
	InstrumentVersion int
	Title             string
	Access            string
	OpensAt           *time.Time
	ClosesAt          *time.Time
	// OpensOn and ClosesOn are plain dates, read in TimeZone, given
	// instead of OpensAt and ClosesAt (settings.go).
	OpensOn, ClosesOn *Date
	// The settings of settings.go; empty means the default (the
	// instrument's title and introduction, UTC, no end message or
	// redirect).
	PublicTitle       string
	PublicDescription string
	TimeZone          string
	EndMessage        string
	EndRedirect       string
	// Mode is ModeLive (also for "") or ModeTest.
	Mode string
	// StudyID, when not 0, is the study the survey is made in: the
	// instrument must be of that study (studies.go), else ENotFound.
	StudyID int64
}

// Validate checks the request's own fields (not the instrument's state).
func (n *NewSurvey) Validate() error {
	var p Problems
	if !keyPattern.MatchString(n.InstrumentKey) {
		p.Add("instrument_key", "must match ^[a-z][a-z0-9-]{1,63}$, got %q", n.InstrumentKey)
	}
	if n.InstrumentVersion < 1 {
		p.Add("instrument_version", "must be a positive integer")
	}
	checkSetting(&p, "title", &n.Title, MaxSurveyTitle, true)
	checkSetting(&p, "public_title", &n.PublicTitle, MaxSurveyTitle, false)
	checkSetting(&p, "public_description", &n.PublicDescription, MaxPublicDescription, false)
	checkSetting(&p, "end_message", &n.EndMessage, MaxEndMessage, false)
	checkRedirect(&p, "end_redirect_url", &n.EndRedirect)
	if n.TimeZone == "" {
		n.TimeZone = DefaultTimeZone
	}
	loc := checkTimeZone(&p, "time_zone", &n.TimeZone)
	if n.Access != AccessOpen && n.Access != AccessInvitation {
		p.Add("access", "must be open or invitation, got %q", n.Access)
	}
	if n.Mode == "" {
		n.Mode = ModeLive
	}
	if n.Mode != ModeLive && n.Mode != ModeTest {
		p.Add("mode", "must be live or test, got %q", n.Mode)
	}
	if loc != nil {
		if n.OpensOn != nil {
			n.OpensAt = Moment{On: n.OpensOn}.resolve(loc, false)
		}
		if n.ClosesOn != nil {
			n.ClosesAt = Moment{On: n.ClosesOn}.resolve(loc, true)
		}
		n.OpensOn, n.ClosesOn = nil, nil
	}
	if n.OpensAt != nil && n.ClosesAt != nil && !n.OpensAt.Before(*n.ClosesAt) {
		p.Add("closes_at", "must be after opens_at")
	}
	return p.Err(EInvalid, "the survey is not valid")
}

// Response is one respondent's answers to a survey.
type Response struct {
	ID                string
	SurveyID          string
	InstrumentKey     string
	InstrumentVersion int
	Status            string
	Answers           Answers
	StartedAt         time.Time
	SubmittedAt       *time.Time
	// Language is the BCP 47 code of the respondent interface's language
	// the response was answered in (the respondent pages' choice, as of
	// the last page saved); "" for a response not given through them.
	Language string
	// PageTimes are the times spent on each page of the web form
	// (pagetimes.go); nil for a response not given through it.
	PageTimes PageTimes
	// Test marks a response made while its survey was in test mode; the
	// store decides it when it writes the response, and fills it when it
	// reads one back.
	Test bool
	// Digest identifies the submitted content, so that a retried
	// submission can be told from a different one under the same id.
	Digest []byte
	// AnswersJSON is Answers.Canonical(), when the service has already
	// computed it; a store may keep it as is instead of encoding again.
	AnswersJSON []byte
}

// Submission is what a respondent sends.
type Submission struct {
	ID             string // optional, client-chosen UUID for safe retries
	InvitationCode string
	StartedAt      *time.Time
	Answers        Answers
	// Canonical, when set, is Answers.Canonical(), which the caller had
	// at hand (survey.ReadSubmittedAnswers finds it in a body whose
	// answers came in that form); Submit computes it otherwise. It must
	// not change while Submit runs or after: it may be stored as it is.
	Canonical []byte
}

// ResponseFilter selects responses of one survey, in submission order.
type ResponseFilter struct {
	SurveyID string
	Status   string // "" means every status
	// IncludeTest includes responses made in test mode
	// (ParseIncludeTest).
	IncludeTest bool
	After       int64 // keyset cursor: responses with a sequence number above it
	Limit       int
}

// MaxInvitationsPerRequest bounds one invitation request.
const MaxInvitationsPerRequest = 10000

func validateCount(n int) error {
	if n < 1 || n > MaxInvitationsPerRequest {
		return &Error{Code: EInvalid, Message: "the invitation request is not valid",
			Details: []Detail{{Path: "count", Message: fmt.Sprintf("must be between 1 and %d, got %d", MaxInvitationsPerRequest, n)}}}
	}
	return nil
}
