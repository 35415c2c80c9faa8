package account

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Token limits: a name says which program holds the token; a token lives
// at most a year, so a forgotten one ends by itself.
const (
	MaxTokenName     = 100
	MaxTokenDays     = 365
	DefaultTokenDays = 90
)

// TokenPrefix starts every API token, so that one pasted where it should
// not be (a log, a repository) is recognisable.
const TokenPrefix = "dyad_"

// TokenRequest is what an account asks a token to be.
type TokenRequest struct {
	Name     string
	Role     survey.Role
	Days     int
	Password string // the account's password, asked again
}

// Holder is the account making a token: its id, whether it is a global
// admin, the study the token is for (0: the default study) and the
// account's role there.
type Holder struct {
	UserID  int64
	Admin   bool
	Role    survey.Role
	StudyID int64
}

// IssueToken makes an API token for the holder, the one rule for the API
// and the dashboard: a name of 1 to MaxTokenName characters, a role the
// holder's covers (an admin's covers every role), 1 to MaxTokenDays days,
// and the account's password (re-authentication: a session or token left
// open cannot mint a credential that outlives it). It returns the secret,
// shown once; only its hash is stored. Errors: EInvalid naming the field
// (name, role, expires_in_days), EUnauthorized for a wrong password,
// EConflict for a holder without an account (the researcher token).
func IssueToken(ctx context.Context, st survey.Accounts, h Holder, req TokenRequest, now time.Time) (string, *survey.APIToken, error) {
	if h.UserID == 0 {
		return "", nil, survey.Errorf(survey.EConflict, "API tokens belong to accounts: sign in with an account to make one")
	}
	var problems survey.Problems
	name := strings.TrimSpace(req.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxTokenName || !utf8.ValidString(name) {
		problems.Add("name", "must be 1 to %d characters, such as the program that will use the token", MaxTokenName)
	}
	if !req.Role.Valid() || !(h.Admin || h.Role.Covers(req.Role)) {
		problems.Add("role", "must be a role no higher than your own")
	}
	if req.Days < 1 || req.Days > MaxTokenDays {
		problems.Add("expires_in_days", "must be 1 to %d", MaxTokenDays)
	}
	if err := problems.Err(survey.EInvalid, "the token cannot be made"); err != nil {
		return "", nil, err
	}
	u, err := st.FindUserByID(ctx, h.UserID)
	if err != nil {
		return "", nil, err
	}
	if len(req.Password) > MaxPasswordLength*4 {
		return "", nil, survey.Errorf(survey.EUnauthorized, "the password is not right")
	}
	ok, err := VerifyPassword(ctx, u.PasswordHash, req.Password)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, survey.Errorf(survey.EUnauthorized, "the password is not right")
	}
	secret := TokenPrefix + survey.NewToken()
	study := h.StudyID
	if study == 0 {
		study = survey.DefaultStudy
	}
	tk := &survey.APIToken{UserID: h.UserID, StudyID: study, Name: name, Hash: survey.HashSecret(secret),
		Role: req.Role, CreatedAt: now, ExpiresAt: now.Add(time.Duration(req.Days) * 24 * time.Hour)}
	if err := st.CreateAPIToken(ctx, tk); err != nil {
		return "", nil, err
	}
	return secret, tk, nil
}
