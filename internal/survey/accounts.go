package survey

import (
	"context"
	"time"
)

// Accounts, studies and roles. A researcher signs in as an account (an
// e-mail address and a password, or an API token the account made); what
// the account may do in a study is its role there. The roles are not a
// ladder: an editor changes instruments and surveys but does not read the
// data, an analyst reads the data but changes nothing, a viewer sees
// aggregate statistics only. Which role may call which route is decided
// by one table (internal/server/policy.go), never here.

// Role is what an account may do in one study.
type Role string

// The roles of a study member.
const (
	RoleOwner   Role = "owner"   // everything, and manages the members
	RoleEditor  Role = "editor"  // instruments, surveys, invitation codes
	RoleAnalyst Role = "analyst" // statistics, exports, free text
	RoleViewer  Role = "viewer"  // aggregate statistics only
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleOwner, RoleEditor, RoleAnalyst, RoleViewer}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Covers reports whether a holder of r may act as s: an owner covers
// every role, every role covers itself and the viewer (whose rights every
// role has: the policy table's test holds it). An API token's scope must
// be covered by its account's role.
func (r Role) Covers(s Role) bool {
	return r.Valid() && s.Valid() && (r == RoleOwner || r == s || s == RoleViewer)
}

// DefaultStudy is the study the database was created with: every
// instrument and survey stored before studies existed belongs to it, and
// so does everything created since until studies can be chosen.
const DefaultStudy int64 = 1

// User is a researcher's account.
type User struct {
	ID    int64
	Email string // lower case, unique
	// PasswordHash is the PHC string of the password's argon2id hash
	// (internal/server/password.go); never the password.
	PasswordHash string
	// Admin marks a global administrator, who manages accounts and acts
	// as owner of every study.
	Admin     bool
	CreatedAt time.Time
	// TOTPSecret is the second factor's secret, "" when the account has
	// none (internal/account/totp.go).
	TOTPSecret string
}

// Membership is an account's role in a study.
type Membership struct {
	StudyID int64
	UserID  int64
	Role    Role
}

// APIToken is a bearer token an account made for a program: known only by
// its SHA-256, shown once at creation.
type APIToken struct {
	ID        int64
	UserID    int64
	StudyID   int64
	Name      string
	Hash      []byte
	Role      Role // the scope: never more than the account's role
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// Invite is a one-time sign-up link an owner made: whoever opens it first
// chooses an e-mail address and password and joins the study with Role.
// Known only by the SHA-256 of the link's secret.
type Invite struct {
	Hash      []byte
	StudyID   int64
	Role      Role
	CreatedBy int64 // the owner's account, 0 for the researcher token
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Member is an account with its role in a study.
type Member struct {
	User User
	Role Role
}

// Accounts keeps the researchers' accounts, their roles and their API
// tokens.
type Accounts interface {
	// EnsureStudy stores a study with the id and name unless one with the
	// id exists (the first start makes DefaultStudy).
	EnsureStudy(ctx context.Context, id int64, name string, at time.Time) error
	// CreateUser stores u and sets its ID; EConflict if the e-mail is
	// taken.
	CreateUser(ctx context.Context, u *User) error
	// FindUserByEmail returns the account with the e-mail; ENotFound if
	// none.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindUserByID returns the account; ENotFound if none.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// SetUserTOTP sets the account's second-factor secret ("" removes
	// it); ENotFound if there is no such account.
	SetUserTOTP(ctx context.Context, userID int64, secret string) error
	// UseTOTPStep records that the account's code of time step was
	// accepted, and reports false (recording nothing) if a code of that
	// step or a later one was accepted before: a code works once.
	UseTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	// SetMembership gives the account the role in the study, replacing
	// any role it had there; ENotFound if the account or the study does
	// not exist.
	SetMembership(ctx context.Context, m Membership) error
	// FindMemberships returns the account's roles, by study.
	FindMemberships(ctx context.Context, userID int64) ([]Membership, error)
	// CreateAPIToken stores t and sets its ID; EConflict if its hash is
	// already stored.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// FindAPIToken returns the token with the hash, revoked or expired
	// too (the caller decides); ENotFound if none.
	FindAPIToken(ctx context.Context, hash []byte) (*APIToken, error)
	// FindAPITokens returns the account's tokens, newest first.
	FindAPITokens(ctx context.Context, userID int64) ([]APIToken, error)
	// RevokeAPIToken marks the account's token revoked at at; ENotFound if
	// the account has no such token. Revoking twice keeps the first time.
	RevokeAPIToken(ctx context.Context, userID, id int64, at time.Time) error
	// CreateInvite stores a sign-up link.
	CreateInvite(ctx context.Context, inv *Invite) error
	// FindInvite returns the invite with the hash, used or expired too;
	// ENotFound if none.
	FindInvite(ctx context.Context, hash []byte) (*Invite, error)
	// AcceptInvite uses the invite at at, in one transaction: it must be
	// unused and not expired (else EConflict, and nothing is stored), u is
	// stored (EConflict if its e-mail is taken) and given the invite's
	// role in its study. It returns the membership.
	AcceptInvite(ctx context.Context, hash []byte, u *User, at time.Time) (Membership, error)
	// FindMembers returns the study's members, by e-mail, without their
	// password hashes.
	FindMembers(ctx context.Context, studyID int64) ([]Member, error)
	// DeleteUserSessions ends every dashboard session of the account
	// ("sign out everywhere") and returns how many there were.
	DeleteUserSessions(ctx context.Context, userID int64) (int, error)
}
