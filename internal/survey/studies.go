package survey

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Studies. A study groups instruments and the surveys deployed from them:
// an instrument key (every version of it) belongs to one study, and a
// survey belongs to the study of its instrument. Members have a role per
// study (accounts.go), API tokens are scoped to one study, and what a
// request may touch is decided by the study of the survey or instrument
// it names (internal/server/policy.go). Every instrument stored before
// studies existed, and the shipped ones, belong to DefaultStudy.
//
// An instrument used by two studies is two instruments, under two keys:
// the definition is copied, never shared, so that one study's changes and
// retirements never reach another's surveys.

// Study is a research project with its own members, instruments and
// surveys.
type Study struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	// RequireTOTP: every member must sign in with a second factor; a
	// member without one is sent to set it up after signing in.
	RequireTOTP bool
}

// MaxStudyName bounds a study's name, in characters.
const MaxStudyName = 200

// ValidateStudyName checks a new study's name: 1 to MaxStudyName
// characters once trimmed, no control characters.
func ValidateStudyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	var p Problems
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		p.Add("name", "is required")
	case n > MaxStudyName:
		p.Add("name", "must be at most %d characters, got %d", MaxStudyName, n)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		p.Add("name", "must not contain control characters")
	}
	return name, p.Err(EInvalid, "the study is not valid")
}

// StudyStore keeps the studies and which study each instrument key is in.
type StudyStore interface {
	// CreateStudy stores st, sets its ID and, when owner is not 0, makes
	// that account its owner, in one transaction; EConflict if the name
	// is taken, ENotFound if the owner account does not exist.
	CreateStudy(ctx context.Context, st *Study, owner int64) error
	// FindStudy returns one study; ENotFound if none.
	FindStudy(ctx context.Context, id int64) (*Study, error)
	// FindStudies returns every study, by id.
	FindStudies(ctx context.Context) ([]Study, error)
	// SetStudyRequireTOTP sets whether the study's members need a second
	// factor; ENotFound if there is no such study.
	SetStudyRequireTOTP(ctx context.Context, id int64, require bool) error
	// CreateInstrumentInStudy is CreateInstrument for a study: a new key
	// joins the study (the default study keeps no row for its keys), a
	// key of another study is EConflict, and nothing is stored then.
	CreateInstrumentInStudy(ctx context.Context, study int64, in *Instrument, at time.Time) (*InstrumentVersion, error)
	// FindStudyOfInstrument returns the study of an instrument key; a
	// key of a study other than the default keeps its study when its
	// versions are deleted (so that no other study takes it over).
	// ENotFound for a key with neither.
	FindStudyOfInstrument(ctx context.Context, key string) (int64, error)
	// FindStudyOfSurvey returns the study of a survey (its instrument's);
	// ENotFound if there is no such survey.
	FindStudyOfSurvey(ctx context.Context, id string) (int64, error)
	// FindInstrumentStudies returns the study of every instrument key not
	// in the default study.
	FindInstrumentStudies(ctx context.Context) (map[string]int64, error)
}

// StudyOf returns the study of an instrument key, given the keys not in
// the default study (FindInstrumentStudies).
func StudyOf(studies map[string]int64, key string) int64 {
	if id, ok := studies[key]; ok {
		return id
	}
	return DefaultStudy
}

// notFoundInStudy is the answer for an instrument of another study: the
// same as for one that does not exist, so that it tells nothing.
func notFoundInStudy(key string, version int) error {
	return Errorf(ENotFound, "instrument %s version %d not found", key, version)
}

// CreateStudy validates the name and stores a new study, with owner (an
// account id; 0 for none) as its owner.
func (s *Service) CreateStudy(ctx context.Context, name string, owner int64) (*Study, error) {
	name, err := ValidateStudyName(name)
	if err != nil {
		return nil, err
	}
	st := &Study{Name: name, CreatedAt: s.now()}
	if err := s.store.CreateStudy(ctx, st, owner); err != nil {
		return nil, err
	}
	return st, nil
}

// Study returns one study.
func (s *Service) Study(ctx context.Context, id int64) (*Study, error) {
	return s.store.FindStudy(ctx, id)
}

// Studies returns every study, by id.
func (s *Service) Studies(ctx context.Context) ([]Study, error) { return s.store.FindStudies(ctx) }

// SetStudyRequireTOTP sets whether the study's members need a second
// factor.
func (s *Service) SetStudyRequireTOTP(ctx context.Context, id int64, require bool) error {
	return s.store.SetStudyRequireTOTP(ctx, id, require)
}

// InstrumentStudies returns the study of every instrument key not in the
// default study (StudyOf reads it).
func (s *Service) InstrumentStudies(ctx context.Context) (map[string]int64, error) {
	return s.store.FindInstrumentStudies(ctx)
}

// StudyOfInstrument returns the study of an instrument key
// (StudyStore.FindStudyOfInstrument).
func (s *Service) StudyOfInstrument(ctx context.Context, key string) (int64, error) {
	return s.store.FindStudyOfInstrument(ctx, key)
}
