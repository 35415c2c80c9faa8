package survey

// Survey settings a researcher can change after deployment.
//
// What respondents see of a survey is its public title and description,
// never its internal name (Title): the internal name is the researcher's
// label in lists and exports ("Telehealth pilot (open)"), the public ones
// are what a participant reads. Both public fields default to the
// instrument's title and introduction at deployment.
//
// Dates. Wherever a moment is meant, a plain date (2027-03-31) is taken
// as well as an RFC 3339 time. A date is read in the survey's time zone
// (TimeZone, an IANA name, UTC unless set): an opening date is the start
// of that day, a closing date the end of it, so "closes 2027-03-31" takes
// responses until midnight at the end of the 31st there. What is stored is
// the instant; changing the time zone later does not move stored dates.
//
// Access (open link or invitation codes) stays as deployed: codes issued
// for an invitation survey would otherwise stop meaning anything, or an
// open link would start refusing people who had it.

import (
	_ "time/tzdata" // IANA names resolve the same on hosts without a zoneinfo database

	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the survey settings, in characters.
const (
	MaxSurveyTitle       = 200
	MaxPublicDescription = 5000
	MaxEndMessage        = 5000
	MaxRedirectURL       = 2000
)

// DefaultTimeZone is a survey's time zone unless one is set.
const DefaultTimeZone = "UTC"

// Date is a calendar day without a time, read in a survey's time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a date written as 2006-01-02; ok is false for anything
// else.
func ParseDate(s string) (d Date, ok bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, false
	}
	return Date{t.Year(), t.Month(), t.Day()}, true
}

// Start is the first instant of the day in loc.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc).UTC()
}

// End is the first instant after the day in loc (the next day's start):
// closes_at is exclusive, so a survey closing on d takes responses all
// day d.
func (d Date) End(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, loc).UTC()
}

// String writes the date as 2006-01-02.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Moment is a time or a plain date, as given for opens_at or closes_at.
// The zero Moment is neither: "no date".
type Moment struct {
	At *time.Time
	On *Date
}

// ParseMoment reads an RFC 3339 time or a plain date; ok is false for
// anything else.
func ParseMoment(s string) (m Moment, ok bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Moment{At: &t}, true
	}
	if d, ok := ParseDate(s); ok {
		return Moment{On: &d}, true
	}
	return Moment{}, false
}

// IsZero reports whether the moment is "no date".
func (m Moment) IsZero() bool { return m.At == nil && m.On == nil }

// Resolve returns the instant, in UTC: a date is its day's start in loc,
// or its end when end is set (a closing date). nil for the zero Moment.
func (m Moment) Resolve(loc *time.Location, end bool) *time.Time { return m.resolve(loc, end) }

func (m Moment) resolve(loc *time.Location, end bool) *time.Time {
	var t time.Time
	switch {
	case m.At != nil:
		t = m.At.UTC()
	case m.On != nil && end:
		t = m.On.End(loc)
	case m.On != nil:
		t = m.On.Start(loc)
	default:
		return nil
	}
	return &t
}

// LoadTimeZone returns the location of an IANA time zone name. "Local"
// and "" are refused: they would mean whatever the server's host is set
// to.
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("must be an IANA time zone name such as Europe/Berlin or UTC, got %q", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("must be an IANA time zone name such as Europe/Berlin or UTC, got %q", name)
	}
	return loc, nil
}

// Location is the survey's time zone (UTC if the stored name no longer
// loads).
func (s *Survey) Location() *time.Location {
	if loc, err := LoadTimeZone(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// checkSetting trims a text setting and checks it against its limit;
// required refuses an empty one.
func checkSetting(p *Problems, path string, v *string, limit int, required bool) {
	if v == nil {
		return
	}
	*v = strings.TrimSpace(*v)
	switch c := utf8.RuneCountInString(*v); {
	case required && c == 0:
		p.Add(path, "is required")
	case c > limit:
		p.Add(path, "must be at most %d characters, got %d", limit, c)
	}
}

// checkRedirect checks an end-page redirect: empty (none) or an absolute
// http or https URL. Respondents are sent to it as it is: nothing that
// identifies their response is added.
func checkRedirect(p *Problems, path string, v *string) {
	if v == nil {
		return
	}
	*v = strings.TrimSpace(*v)
	if *v == "" {
		return
	}
	if n := len(*v); n > MaxRedirectURL {
		p.Add(path, "must be at most %d characters, got %d", MaxRedirectURL, n)
		return
	}
	u, err := url.Parse(*v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p.Add(path, "must be an absolute http or https URL, got %q", *v)
		return
	}
	if u.User != nil {
		p.Add(path, "must not contain a user name or password")
	}
}

// checkTimeZone checks a time zone name and returns its location (nil
// with a problem added when it is not one).
func checkTimeZone(p *Problems, path string, v *string) *time.Location {
	if v == nil {
		return nil
	}
	*v = strings.TrimSpace(*v)
	loc, err := LoadTimeZone(*v)
	if err != nil {
		p.Add(path, "%s", err.Error())
	}
	return loc
}

// SurveyUpdate is a change to a survey's settings (PATCH): nil fields
// stay as they are.
type SurveyUpdate struct {
	// Title is the internal name.
	Title             *string
	PublicTitle       *string
	PublicDescription *string
	TimeZone          *string
	// OpensAt and ClosesAt: a zero Moment removes the date.
	OpensAt, ClosesAt *Moment
	EndMessage        *string
	EndRedirect       *string
	// Status closes (SurveyClosed) or reopens (SurveyOpen) the survey.
	Status *string
	// Access is refused when given: access stays as deployed.
	Access *string
	// Mode switches into test mode (ModeTest) or goes live (ModeLive);
	// going live needs DeleteTestResponses, true or false.
	Mode                *string
	DeleteTestResponses *bool
}

// Check adds the problems of the fields on their own to p, trimming the
// texts; UpdateSurvey checks again with the stored survey. Adapters call
// it to report these with their own parsing problems at once.
func (u *SurveyUpdate) Check(p *Problems) {
	checkSetting(p, "title", u.Title, MaxSurveyTitle, true)
	checkSetting(p, "public_title", u.PublicTitle, MaxSurveyTitle, true)
	checkSetting(p, "public_description", u.PublicDescription, MaxPublicDescription, false)
	checkSetting(p, "end_message", u.EndMessage, MaxEndMessage, false)
	checkRedirect(p, "end_redirect_url", u.EndRedirect)
	checkTimeZone(p, "time_zone", u.TimeZone)
	if u.Status != nil && *u.Status != SurveyOpen && *u.Status != SurveyClosed {
		p.Add("status", "must be open or closed, got %q", *u.Status)
	}
	switch {
	case u.Mode != nil && *u.Mode != ModeLive && *u.Mode != ModeTest:
		p.Add("mode", "must be live or test, got %q", *u.Mode)
	case u.Mode != nil && *u.Mode == ModeLive && u.DeleteTestResponses == nil:
		p.Add("delete_test_responses", "is required to go live: true deletes the responses made in test mode, false keeps them (marked, left out of exports and statistics)")
	case u.DeleteTestResponses != nil && (u.Mode == nil || *u.Mode != ModeLive):
		p.Add("delete_test_responses", "is only taken with mode live")
	}
	if u.Access != nil {
		p.Add("access", "cannot change after deployment (codes issued or links shared would change meaning); deploy a new survey instead")
	}
}

// UpdateSurvey changes a survey's settings, and closes or reopens it;
// it returns the survey as stored, with its response counts.
//
// Rules: a new closing date must lie ahead (to close now, set status
// closed) and after the opening date; a closed survey reopens only with
// its closing date ahead (give a new one with the reopen). Bad fields are
// EInvalid with their paths; reopening past the stored closing date is
// EConflict.
func (s *Service) UpdateSurvey(ctx context.Context, id string, u SurveyUpdate) (*Survey, error) {
	var p Problems
	u.Check(&p)
	if err := p.Err(EInvalid, "the survey change is not valid"); err != nil {
		return nil, err
	}
	cur, err := s.store.FindSurvey(ctx, id)
	if err != nil {
		return nil, err
	}
	next := *cur
	setString := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setString(&next.Title, u.Title)
	setString(&next.PublicTitle, u.PublicTitle)
	setString(&next.PublicDescription, u.PublicDescription)
	setString(&next.TimeZone, u.TimeZone)
	setString(&next.EndMessage, u.EndMessage)
	setString(&next.EndRedirect, u.EndRedirect)
	loc := next.Location()
	now := s.now()
	if u.OpensAt != nil {
		next.OpensAt = u.OpensAt.resolve(loc, false)
	}
	if u.ClosesAt != nil {
		next.ClosesAt = u.ClosesAt.resolve(loc, true)
		if next.ClosesAt != nil && !now.Before(*next.ClosesAt) {
			p.Add("closes_at", "must be in the future, got %s (to close now, set status to closed)", next.ClosesAt.Format(time.RFC3339))
		}
	}
	if next.OpensAt != nil && next.ClosesAt != nil && !next.OpensAt.Before(*next.ClosesAt) {
		p.Add("closes_at", "must be after opens_at (%s)", next.OpensAt.Format(time.RFC3339))
	}
	if err := p.Err(EInvalid, "the survey change is not valid"); err != nil {
		return nil, err
	}
	reopen := u.Status != nil && *u.Status == SurveyOpen && cur.Status == SurveyClosed
	if reopen && next.ClosesAt != nil && !now.Before(*next.ClosesAt) {
		return nil, Errorf(EConflict, "survey %s closed on its closing date %s; give a new closes_at with the reopen", id, next.ClosesAt.Format(time.RFC3339))
	}
	defer s.forgetSurvey(id)
	out, err := s.store.UpdateSurvey(ctx, &next, reopen)
	if err != nil {
		return nil, err
	}
	if u.Status != nil && *u.Status == SurveyClosed && out.Status == SurveyOpen {
		if out, err = s.store.CloseSurvey(ctx, id, s.now()); err != nil {
			return nil, err
		}
	}
	if u.Mode != nil && *u.Mode != out.Mode {
		if out, _, err = s.store.SetSurveyMode(ctx, id, *u.Mode, u.DeleteTestResponses != nil && *u.DeleteTestResponses); err != nil {
			return nil, err
		}
	}
	if out.Complete, out.InProgress, out.Test, err = s.store.CountResponses(ctx, id); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteSurvey deletes a survey and its invitation codes. It is refused
// (EConflict, saying why) once the survey has a response: the data of a
// study is never deleted with the survey that collected it.
func (s *Service) DeleteSurvey(ctx context.Context, id string) error {
	defer s.forgetSurvey(id)
	return s.store.DeleteSurvey(ctx, id)
}

// forgetSurvey drops the cached row of a survey this process changed.
func (s *Service) forgetSurvey(id string) {
	s.mu.Lock()
	delete(s.surveys, id)
	s.mu.Unlock()
}

// GoLive ends a survey's test mode; with deleteTest, the responses made in
// test mode are deleted in the same transaction, else they stay, marked
// and left out of exports and statistics. Going live when live already
// is EConflict. It returns the survey with its counts and how many test
// responses were deleted.
func (s *Service) GoLive(ctx context.Context, id string, deleteTest bool) (*Survey, int, error) {
	defer s.forgetSurvey(id)
	cur, err := s.store.FindSurvey(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if cur.Mode != ModeTest {
		return nil, 0, Errorf(EConflict, "survey %s is live already", id)
	}
	sv, n, err := s.store.SetSurveyMode(ctx, id, ModeLive, deleteTest)
	if err != nil {
		return nil, 0, err
	}
	if sv.Complete, sv.InProgress, sv.Test, err = s.store.CountResponses(ctx, id); err != nil {
		return nil, 0, err
	}
	return sv, n, nil
}

// DeleteTestResponses deletes a survey's responses made in test mode,
// whatever its mode now, and returns how many. Invitation codes they
// spent stay spent.
func (s *Service) DeleteTestResponses(ctx context.Context, id string) (int, error) {
	return s.store.DeleteTestResponses(ctx, id)
}
