package survey

// Save and resume: the domain side of the respondent web form.
//
// A web respondent's answers live on the server from the first page on.
// StartProgress stores a response with status in_progress and hands out a
// resume token (256 random bits; only its SHA-256 is stored, so a copy of
// the database cannot resume anyone's response). SaveProgress replaces the
// answers so far on every page, and CompleteProgress turns the same row
// complete, so a double click, a reload or the back button can never make a
// second response. Submit, the JSON API's one-shot path, is untouched.
//
// Invitation codes are checked and held at StartProgress and spent at
// CompleteProgress, in the transaction that completes the row. A code
// holds one response in progress at a time (Hold): twenty browsers starting
// with one code make one response, and the others are told at once that
// the code is in use, not after answering every page. In between the code
// is kept sealed: encrypted with a key derived from the resume token, which
// the server does not keep, and needed to spend the code on completion.
// Neither the sealed code nor the hold's mark can be matched to an
// invitation row without the respondent's token or the server's
// invitation key (secret.go); both are erased when the response completes.

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"strings"
	"time"
)

// Progress is a response kept by the web form, in progress or complete.
type Progress struct {
	Response
	// UpdatedAt is the time of the last save.
	UpdatedAt time.Time
	// SealedCode is the invitation code sealed under the resume token; nil
	// for an open survey and once the response is complete.
	SealedCode []byte
}

// StartProgress begins a web response. It checks that the survey takes
// responses and, for an invitation survey, that the code is one of its
// unspent codes and that no other response in progress holds it (without
// spending it), then stores an empty in-progress response that holds the
// code. It returns the response and its resume token, which the caller
// gives to the respondent; the token itself is never stored. A code held
// by another response in progress is EConflict (IsCodeInUse).
//
// language is the interface language the respondent chose (a BCP 47 tag;
// "" for none), stored with the response; SaveSection updates it.
func (s *Service) StartProgress(ctx context.Context, surveyID, code, language string) (*Progress, string, error) {
	return s.startProgress(ctx, surveyID, code, language, false)
}

// StartProgressOver is StartProgress for the holder of a code that another
// response in progress holds: that response, with its answers, is deleted
// and a new one holds the code. The code's holder is the invitee; without
// this, an invitee who lost the resume link (another browser, a cleared
// cookie, a lost e-mail) could never answer. Whoever has the code can spend
// it through the API anyway, so this gives the code's holder no power over
// the response that it did not have.
func (s *Service) StartProgressOver(ctx context.Context, surveyID, code, language string) (*Progress, string, error) {
	return s.startProgress(ctx, surveyID, code, language, true)
}

// checkLanguage refuses a language that is not a BCP 47 tag.
func checkLanguage(language string) error {
	if language != "" && !languageTag.MatchString(language) {
		return &Error{Code: EInvalid, Message: "the language is not valid",
			Details: []Detail{{Path: "language", Message: "is not a language tag such as en or de-CH"}}}
	}
	return nil
}

func (s *Service) startProgress(ctx context.Context, surveyID, code, language string, discard bool) (*Progress, string, error) {
	if err := checkLanguage(language); err != nil {
		return nil, "", err
	}
	sv, err := s.PublicSurvey(ctx, surveyID)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	if err := sv.CheckOpen(now); err != nil {
		return nil, "", err
	}
	var hold *Hold
	if sv.Access == AccessInvitation {
		code = NormalizeCode(code)
		if code == "" {
			return nil, "", &Error{Code: EInvalid, Message: "an invitation code is needed",
				Details: []Detail{{Path: "invitation_code", Message: "is required: this survey is by invitation only"}}}
		}
		h := s.codeHashes(sv.ID, code)
		mark := s.holdMark(sv.ID, code)
		hold = &Hold{CodeHash: h[0], LegacyHash: h[1], Mark: mark, Ref: s.holdRef(sv.ID, mark), Discard: discard}
	} else {
		code = "" // an open survey takes no code; a stray ?code= is ignored
	}
	token := NewToken()
	answers := Answers{}
	canonical := answers.Canonical()
	p := &Progress{
		Response: Response{
			ID:                NewUUID(),
			SurveyID:          sv.ID,
			InstrumentKey:     sv.InstrumentKey,
			InstrumentVersion: sv.InstrumentVersion,
			Status:            ResponseInProgress,
			Answers:           answers,
			StartedAt:         now,
			Language:          language,
			Digest:            submissionDigest(canonical),
			AnswersJSON:       canonical,
		},
		UpdatedAt: now,
	}
	if code != "" {
		if p.SealedCode, err = sealCode(token, code); err != nil {
			return nil, "", err
		}
	}
	if err := s.store.CreateProgress(ctx, p, HashSecret(token), hold); err != nil {
		return nil, "", err
	}
	return p, token, nil
}

// Hold is an invitation code's claim on the one response in progress that
// it started: while a response holds a code, no other response can start
// with it or be submitted with it through the API (EConflict).
//
// The claim is a flag on the invitation row plus a mark on the response
// row: the mark is a keyed hash of the code under a derivation other than
// the row's (secret.go), so that without the key the two rows cannot be
// matched, and the mark lets the code's holder find the response to
// discard (StartProgressOver).
type Hold struct {
	// CodeHash is the keyed hash of the invitation row; LegacyHash, the
	// plain SHA-256 of a row issued before keyed hashes, tried second.
	CodeHash, LegacyHash []byte
	// Mark is stored on the response row while it holds the code.
	Mark []byte
	// Ref is stored on the invitation row while the code is held: a keyed
	// hash of Mark, by which a sweep that deletes an abandoned holder
	// releases the code (abandoned.go) while, without the key, no stored
	// value ties the two rows.
	Ref []byte
	// Discard deletes the in-progress response that holds the code, if
	// any, instead of failing with EConflict.
	Discard bool
}

// codeInUseMessage is the message of the error for a held code.
const codeInUseMessage = "the invitation code is in use by a response that has not been submitted yet"

// ErrCodeInUse returns the error for a code that a response in progress
// holds.
func ErrCodeInUse() error {
	return &Error{Code: EConflict, Message: codeInUseMessage,
		Details: []Detail{{Path: "invitation_code", Message: "a response started in the web form with this code has not been submitted yet; continue it with its link to continue, or start over in the web form"}}}
}

// IsCodeInUse reports whether err is ErrCodeInUse's.
func IsCodeInUse(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == EConflict && e.Message == codeInUseMessage
}

// FindProgress returns the web response of the survey that the resume
// token belongs to, in progress or complete; ENotFound for any other token.
func (s *Service) FindProgress(ctx context.Context, surveyID, token string) (*Progress, error) {
	if token == "" {
		return nil, Errorf(ENotFound, "no response to resume")
	}
	return s.store.FindProgress(ctx, surveyID, HashSecret(token))
}

// SaveProgress keeps a web respondent's answers so far, replacing the
// stored ones. Answers to items that are not shown are dropped (a hidden
// item is not asked, so nothing of it is kept); the rest must pass Check
// with partial true: the rules of a submission less the required items.
// EConflict if the response is complete or the survey no longer takes
// responses.
func (s *Service) SaveProgress(ctx context.Context, surveyID, token string, a Answers) (*Progress, error) {
	p, err := s.FindProgress(ctx, surveyID, token)
	if err != nil {
		return nil, err
	}
	return s.saveProgress(ctx, p, a, nil)
}

// saveProgress is SaveProgress for p, the response as found by its token
// (a copy that it updates). With canonical set (to a.Canonical()) the
// caller has dropped the answers to hidden items, checked the rest as
// partial and encoded them already (SaveSection, which has read p and
// checked and encoded the answers for its own purposes, does not pay for
// any of it twice). That p is still in progress is decided by the store's
// write, whatever p says.
func (s *Service) saveProgress(ctx context.Context, p *Progress, a Answers, canonical []byte) (*Progress, error) {
	if p.Status != ResponseInProgress {
		return nil, Errorf(EConflict, "response %s has been submitted and can no longer change", p.ID)
	}
	sv, err := s.PublicSurvey(ctx, p.SurveyID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := sv.CheckOpen(now); err != nil {
		return nil, err
	}
	if canonical == nil {
		form, err := s.Form(ctx, p.InstrumentKey, p.InstrumentVersion)
		if err != nil {
			return nil, err
		}
		a = form.KeepShown(a)
		if err := form.Check(a, true); err != nil {
			return nil, err
		}
		canonical = a.Canonical()
	}
	p.Answers, p.AnswersJSON, p.Digest, p.UpdatedAt = a, canonical, submissionDigest(canonical), now
	if err := s.store.SaveProgress(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// CompleteProgress submits a web response: the answers are checked as
// Submit checks them (after dropping those to hidden items), and the row
// turns complete in the transaction that spends the invitation code, if
// any. Completing a response that is complete already changes nothing and
// returns it with created false, whatever the answers: the first submit
// counts, and no second response is ever made.
func (s *Service) CompleteProgress(ctx context.Context, surveyID, token string, a Answers) (*Response, bool, error) {
	p, err := s.FindProgress(ctx, surveyID, token)
	if err != nil {
		return nil, false, err
	}
	r, created, _, err := s.completeProgress(ctx, surveyID, token, p, a, false)
	return r, created, err
}

// completeProgress is CompleteProgress, also telling whether the error is
// the store's refusal to spend the response's invitation code (spent
// meanwhile, or unknown), which SaveSection reports as its own outcome.
// p is the response as found by the token; with checked true the caller
// has dropped the answers to hidden items and checked the rest for a
// submission already. Whether p is still in progress is decided by the
// store's write (a concurrent submit makes created false), whatever p
// says.
func (s *Service) completeProgress(ctx context.Context, surveyID, token string, p *Progress, a Answers, checked bool) (r *Response, created, codeRefused bool, err error) {
	if p.Status == ResponseComplete {
		return &p.Response, false, false, nil
	}
	sv, err := s.PublicSurvey(ctx, surveyID)
	if err != nil {
		return nil, false, false, err
	}
	now := s.now()
	if err := sv.CheckOpen(now); err != nil {
		return nil, false, false, err
	}
	if !checked {
		form, err := s.Form(ctx, p.InstrumentKey, p.InstrumentVersion)
		if err != nil {
			return nil, false, false, err
		}
		a = form.KeepShown(a)
		if err := form.Check(a, false); err != nil {
			return nil, false, false, err
		}
	}
	var codeHashes [2][]byte
	switch {
	case p.SealedCode != nil:
		code, err := openCode(token, p.SealedCode)
		if err != nil {
			return nil, false, false, err
		}
		codeHashes = s.codeHashes(sv.ID, code)
	case sv.Access == AccessInvitation:
		return nil, false, false, Errorf(EForbidden, "response %s was started without an invitation code", p.ID)
	}
	done := p.Response
	canonical := a.Canonical()
	done.Status, done.Answers, done.AnswersJSON, done.Digest, done.SubmittedAt = ResponseComplete, a, canonical, submissionDigest(canonical), &now
	created, err = s.store.CompleteProgress(ctx, &done, codeHashes[0])
	if unknownCode(err) { // a code issued before keyed hashes; the first try rolled back
		created, err = s.store.CompleteProgress(ctx, &done, codeHashes[1])
	}
	if err != nil {
		// With a code to spend, the store's EForbidden (unknown) and
		// EConflict (spent) are about the code (Store.CompleteProgress).
		code := ErrorCode(err)
		return nil, false, codeHashes[0] != nil && (code == EForbidden || code == EConflict), err
	}
	if !created { // a concurrent submit of the same response got there first
		prev, err := s.FindProgress(ctx, surveyID, token)
		if err != nil {
			return nil, false, false, err
		}
		return &prev.Response, false, false, nil
	}
	return &done, true, false, nil
}

// CheckSection applies Check to the answers and keeps only the problems of
// the items of section si: the rule for leaving a page of the web form. The
// rules are those of the JSON API; with partial false an unanswered
// required item of the section is a problem, with partial true (going back)
// only a wrong answer is.
func (f *Form) CheckSection(a Answers, si int, partial bool) error {
	return f.sectionProblems(f.Check(a, partial), si)
}

// sectionProblems keeps, of err as Check returned it, only the problems of
// the items of section si: CheckSection for a Check already made, so that
// SaveSection checks the answers once for both the page and the submission.
func (f *Form) sectionProblems(err error, si int) error {
	if err == nil {
		return nil
	}
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	var p Problems
	for _, d := range e.Details {
		if id, ok := strings.CutPrefix(d.Path, "answers."); ok && f.items[id] != nil && f.section[id] == si {
			p = append(p, d)
		}
	}
	return p.Err(e.Code, e.Message)
}

// SectionShown reports whether any item of section si is shown; a section
// whose items are all hidden is skipped. It decides by position
// (shownList) rather than through Shown's map: every page asks it of
// several sections, and building the map each time showed in the web
// journey's profile.
func (f *Form) SectionShown(a Answers, si int) bool {
	shown := f.shownList(a)
	for _, it := range f.Instrument.Sections[si].Items {
		if shown[f.index[it.ID]] {
			return true
		}
	}
	return false
}

// ResumeSection returns the section a returning respondent continues at,
// in the document's order; a response's pages follow its Order, whose
// ResumeSection (order.go) holds the rule.
func (f *Form) ResumeSection(a Answers) int {
	return f.orders.identity.ResumeSection(a)
}

// The sealed invitation code: AES-256-GCM under a key derived from the
// resume token with HKDF. The token has 256 bits of entropy, so the key is
// as strong as the token, and only the token's holder can open the code.

func codeKey(token string) ([]byte, error) {
	return hkdf.Key(sha256.New, []byte(token), nil, "dyad invitation code v1", 32)
}

func sealCode(token, code string) ([]byte, error) {
	aead, err := codeAEAD(token)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(code)+aead.Overhead())
	randRead(nonce)
	return aead.Seal(nonce, nonce, []byte(code), nil), nil
}

func openCode(token string, sealed []byte) (string, error) {
	aead, err := codeAEAD(token)
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize() {
		return "", Errorf(EInternal, "sealed invitation code is too short")
	}
	code, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
	if err != nil {
		return "", Errorf(EInternal, "sealed invitation code does not open with this token")
	}
	return string(code), nil
}

func codeAEAD(token string) (cipher.AEAD, error) {
	key, err := codeKey(token)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
