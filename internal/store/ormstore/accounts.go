package ormstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The accounts, studies, memberships and API tokens of
// migrations/0008_accounts.sql (postgres/0004). Ids are max(id)+1, taken
// in the inserting transaction (why: the migration's comment). On SQLite
// the one writer serialises the inserts; on PostgreSQL two concurrent
// inserts may pick the same id, and the loser gets the primary key's
// unique violation, an EConflict: accounts and tokens are made by hand,
// rarely, so a retry by the person is the price of not having sequences.

type studyRow struct {
	ID          int64 `gorm:"primaryKey;autoIncrement:false"`
	Name        string
	CreatedAt   string
	RequireTOTP int `gorm:"column:require_totp"`
}

func (studyRow) TableName() string { return "studies" }

type userRow struct {
	ID           int64 `gorm:"primaryKey;autoIncrement:false"`
	Email        string
	PasswordHash string
	Admin        int
	CreatedAt    string
	TOTPSecret   *string `gorm:"column:totp_secret"`
}

func (userRow) TableName() string { return "users" }

type membershipRow struct {
	StudyID int64 `gorm:"primaryKey;autoIncrement:false"`
	UserID  int64 `gorm:"primaryKey;autoIncrement:false"`
	Role    string
}

func (membershipRow) TableName() string { return "memberships" }

type apiTokenRow struct {
	ID        int64 `gorm:"primaryKey;autoIncrement:false"`
	UserID    int64
	StudyID   int64
	Name      string
	Hash      []byte
	Role      string
	CreatedAt string
	ExpiresAt string
	RevokedAt *string
}

func (apiTokenRow) TableName() string { return "api_tokens" }

// nextID returns max(id)+1 of table, read in tx.
func nextID(tx *gorm.DB, table string) (int64, error) {
	var n int64
	err := tx.Table(table).Select("COALESCE(MAX(id), 0) + 1").Scan(&n).Error
	return n, err
}

// EnsureStudy stores the study with the id and name unless a study with
// that id exists. The first start makes survey.DefaultStudy with it.
func (t *Tables) EnsureStudy(ctx context.Context, id int64, name string, at time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	err := t.Write.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&studyRow{ID: id, Name: name, CreatedAt: FormatTime(at)}).Error
	return t.classify(t.finishWrite(err), "create study")
}

// CreateUser implements survey.Accounts.
func (t *Tables) CreateUser(ctx context.Context, u *survey.User) error {
	if err := t.writable(); err != nil {
		return err
	}
	u.Email = strings.ToLower(u.Email)
	var id int64
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if id, err = nextID(tx, "users"); err != nil {
			return err
		}
		return tx.Create(&userRow{ID: id, Email: u.Email, PasswordHash: u.PasswordHash, Admin: boolInt(u.Admin),
			CreatedAt: FormatTime(u.CreatedAt), TOTPSecret: nullString(u.TOTPSecret)}).Error
	})
	if err = t.finishWrite(err); err != nil {
		if t.IsUnique(err) {
			return survey.Errorf(survey.EConflict, "an account with this e-mail address exists")
		}
		return t.classify(err, "create user")
	}
	u.ID = id
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *userRow) user() *survey.User {
	u := &survey.User{ID: r.ID, Email: r.Email, PasswordHash: r.PasswordHash, Admin: r.Admin == 1, CreatedAt: ParseTime(r.CreatedAt)}
	if r.TOTPSecret != nil {
		u.TOTPSecret = *r.TOTPSecret
	}
	return u
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// UseTOTPStep implements survey.Accounts: one conditional UPDATE, so two
// sign-ins racing with one code cannot both pass.
func (t *Tables) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	if err := t.writable(); err != nil {
		return false, err
	}
	res := t.Write.WithContext(ctx).Model(&userRow{}).Where("id = ? AND (totp_step IS NULL OR totp_step < ?)", userID, step).
		Update("totp_step", step)
	if err := t.finishWrite(res.Error); err != nil {
		return false, t.classify(err, "use TOTP step")
	}
	return res.RowsAffected == 1, nil
}

// SetUserTOTP implements survey.Accounts.
func (t *Tables) SetUserTOTP(ctx context.Context, userID int64, secret string) error {
	if err := t.writable(); err != nil {
		return err
	}
	res := t.Write.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).Update("totp_secret", nullString(secret))
	if err := t.finishWrite(res.Error); err != nil {
		return t.classify(err, "set TOTP")
	}
	if res.RowsAffected == 0 {
		return survey.Errorf(survey.ENotFound, "account %d not found", userID)
	}
	return nil
}

// FindUserByEmail implements survey.Accounts.
func (t *Tables) FindUserByEmail(ctx context.Context, email string) (*survey.User, error) {
	return t.findUser(ctx, "email = ?", strings.ToLower(email))
}

// FindUserByID implements survey.Accounts.
func (t *Tables) FindUserByID(ctx context.Context, id int64) (*survey.User, error) {
	return t.findUser(ctx, "id = ?", id)
}

func (t *Tables) findUser(ctx context.Context, where string, arg any) (*survey.User, error) {
	var row userRow
	err := t.Read.WithContext(ctx).Where(where, arg).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, survey.Errorf(survey.ENotFound, "account not found")
	}
	if err != nil {
		return nil, t.classify(err, "find user")
	}
	return row.user(), nil
}

// SetMembership implements survey.Accounts.
func (t *Tables) SetMembership(ctx context.Context, m survey.Membership) error {
	if err := t.writable(); err != nil {
		return err
	}
	if !m.Role.Valid() {
		return survey.Errorf(survey.EInvalid, "unknown role %q", m.Role)
	}
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Checked here rather than left to the foreign keys, so that a
		// missing account or study is ENotFound on both engines.
		var n int64
		if err := tx.Model(&userRow{}).Where("id = ?", m.UserID).Count(&n).Error; err != nil || n == 0 {
			return errOr(err, survey.Errorf(survey.ENotFound, "account %d not found", m.UserID))
		}
		if err := tx.Model(&studyRow{}).Where("id = ?", m.StudyID).Count(&n).Error; err != nil || n == 0 {
			return errOr(err, survey.Errorf(survey.ENotFound, "study %d not found", m.StudyID))
		}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "study_id"}, {Name: "user_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"role"})}).
			Create(&membershipRow{StudyID: m.StudyID, UserID: m.UserID, Role: string(m.Role)}).Error
	})
	var se *survey.Error
	if errors.As(err, &se) {
		return se
	}
	return t.classify(t.finishWrite(err), "set membership")
}

func errOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// FindMemberships implements survey.Accounts.
func (t *Tables) FindMemberships(ctx context.Context, userID int64) ([]survey.Membership, error) {
	var rows []membershipRow
	if err := t.Read.WithContext(ctx).Where("user_id = ?", userID).Order("study_id").Find(&rows).Error; err != nil {
		return nil, t.classify(err, "find memberships")
	}
	out := make([]survey.Membership, len(rows))
	for i, r := range rows {
		out[i] = survey.Membership{StudyID: r.StudyID, UserID: r.UserID, Role: survey.Role(r.Role)}
	}
	return out, nil
}

// CreateAPIToken implements survey.Accounts.
func (t *Tables) CreateAPIToken(ctx context.Context, tk *survey.APIToken) error {
	if err := t.writable(); err != nil {
		return err
	}
	var id int64
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if id, err = nextID(tx, "api_tokens"); err != nil {
			return err
		}
		return tx.Create(&apiTokenRow{ID: id, UserID: tk.UserID, StudyID: tk.StudyID, Name: tk.Name, Hash: tk.Hash,
			Role: string(tk.Role), CreatedAt: FormatTime(tk.CreatedAt), ExpiresAt: FormatTime(tk.ExpiresAt),
			RevokedAt: FormatTimePtr(tk.RevokedAt)}).Error
	})
	if err = t.finishWrite(err); err != nil {
		if t.IsUnique(err) {
			return survey.Errorf(survey.EConflict, "the token is already stored")
		}
		return t.classify(err, "create API token")
	}
	tk.ID = id
	return nil
}

func (r *apiTokenRow) token() survey.APIToken {
	return survey.APIToken{ID: r.ID, UserID: r.UserID, StudyID: r.StudyID, Name: r.Name, Hash: r.Hash, Role: survey.Role(r.Role),
		CreatedAt: ParseTime(r.CreatedAt), ExpiresAt: ParseTime(r.ExpiresAt), RevokedAt: ParseTimePtr(r.RevokedAt)}
}

// FindAPIToken implements survey.Accounts.
func (t *Tables) FindAPIToken(ctx context.Context, hash []byte) (*survey.APIToken, error) {
	var row apiTokenRow
	err := t.Read.WithContext(ctx).Where("hash = ?", hash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, survey.Errorf(survey.ENotFound, "token not found")
	}
	if err != nil {
		return nil, t.classify(err, "find API token")
	}
	tk := row.token()
	return &tk, nil
}

// FindAPITokens implements survey.Accounts.
func (t *Tables) FindAPITokens(ctx context.Context, userID int64) ([]survey.APIToken, error) {
	var rows []apiTokenRow
	if err := t.Read.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, t.classify(err, "find API tokens")
	}
	out := make([]survey.APIToken, len(rows))
	for i := range rows {
		out[i] = rows[i].token()
	}
	return out, nil
}

// RevokeAPIToken implements survey.Accounts.
func (t *Tables) RevokeAPIToken(ctx context.Context, userID, id int64, at time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	var found int64
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&apiTokenRow{}).Where("id = ? AND user_id = ?", id, userID).Count(&found).Error; err != nil || found == 0 {
			return err
		}
		return tx.Model(&apiTokenRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", FormatTime(at)).Error
	})
	if err = t.finishWrite(err); err != nil {
		return t.classify(err, "revoke API token")
	}
	if found == 0 {
		return survey.Errorf(survey.ENotFound, "token %d not found", id)
	}
	return nil
}

// DeleteUserSessions implements survey.Accounts.
func (t *Tables) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	if err := t.writable(); err != nil {
		return 0, err
	}
	res := t.Write.WithContext(ctx).Where("user_id = ?", userID).Delete(&sessionRow{})
	if err := t.finishWrite(res.Error); err != nil {
		return 0, t.classify(err, "delete sessions")
	}
	return int(res.RowsAffected), nil
}

type inviteRow struct {
	Hash      []byte `gorm:"primaryKey"`
	StudyID   int64
	Role      string
	CreatedBy *int64
	CreatedAt string
	ExpiresAt string
	UsedAt    *string
}

func (inviteRow) TableName() string { return "invites" }

// CreateInvite implements survey.Accounts.
func (t *Tables) CreateInvite(ctx context.Context, inv *survey.Invite) error {
	if err := t.writable(); err != nil {
		return err
	}
	var by *int64
	if inv.CreatedBy != 0 {
		by = &inv.CreatedBy
	}
	err := t.Write.WithContext(ctx).Create(&inviteRow{Hash: inv.Hash, StudyID: inv.StudyID, Role: string(inv.Role), CreatedBy: by,
		CreatedAt: FormatTime(inv.CreatedAt), ExpiresAt: FormatTime(inv.ExpiresAt), UsedAt: FormatTimePtr(inv.UsedAt)}).Error
	return t.classify(t.finishWrite(err), "create invite")
}

// FindInvite implements survey.Accounts.
func (t *Tables) FindInvite(ctx context.Context, hash []byte) (*survey.Invite, error) {
	var row inviteRow
	err := t.Read.WithContext(ctx).Where("hash = ?", hash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, survey.Errorf(survey.ENotFound, "invite not found")
	}
	if err != nil {
		return nil, t.classify(err, "find invite")
	}
	inv := &survey.Invite{Hash: row.Hash, StudyID: row.StudyID, Role: survey.Role(row.Role), CreatedAt: ParseTime(row.CreatedAt),
		ExpiresAt: ParseTime(row.ExpiresAt), UsedAt: ParseTimePtr(row.UsedAt)}
	if row.CreatedBy != nil {
		inv.CreatedBy = *row.CreatedBy
	}
	return inv, nil
}

// AcceptInvite implements survey.Accounts. The invite is marked used by a
// conditional UPDATE first, so that of two people opening one link at
// once exactly one gets past it; the other's transaction changes nothing.
func (t *Tables) AcceptInvite(ctx context.Context, hash []byte, u *survey.User, at time.Time) (survey.Membership, error) {
	if err := t.writable(); err != nil {
		return survey.Membership{}, err
	}
	u.Email = strings.ToLower(u.Email)
	var m survey.Membership
	var id int64
	err := t.Write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&inviteRow{}).Where("hash = ? AND used_at IS NULL AND expires_at > ?", hash, FormatTime(at)).
			Update("used_at", FormatTime(at))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return survey.Errorf(survey.EConflict, "this sign-up link was used already or has expired; ask the study's owner for a new one")
		}
		var inv inviteRow
		if err := tx.Where("hash = ?", hash).Take(&inv).Error; err != nil {
			return err
		}
		var err error
		if id, err = nextID(tx, "users"); err != nil {
			return err
		}
		if err := tx.Create(&userRow{ID: id, Email: u.Email, PasswordHash: u.PasswordHash, Admin: boolInt(u.Admin),
			CreatedAt: FormatTime(u.CreatedAt)}).Error; err != nil {
			if t.IsUnique(err) {
				return survey.Errorf(survey.EConflict, "an account with this e-mail address exists")
			}
			return err
		}
		m = survey.Membership{StudyID: inv.StudyID, UserID: id, Role: survey.Role(inv.Role)}
		return tx.Create(&membershipRow{StudyID: m.StudyID, UserID: id, Role: string(m.Role)}).Error
	})
	var se *survey.Error
	if errors.As(err, &se) {
		return survey.Membership{}, se
	}
	if err = t.finishWrite(err); err != nil {
		return survey.Membership{}, t.classify(err, "accept invite")
	}
	u.ID = id
	return m, nil
}

// FindMembers implements survey.Accounts.
func (t *Tables) FindMembers(ctx context.Context, studyID int64) ([]survey.Member, error) {
	var rows []struct {
		ID        int64
		Email     string
		Admin     int
		CreatedAt string
		Role      string
	}
	err := t.Read.WithContext(ctx).Table("memberships").Select("users.id, users.email, users.admin, users.created_at, memberships.role").
		Joins("JOIN users ON users.id = memberships.user_id").Where("memberships.study_id = ?", studyID).Order("users.email").Scan(&rows).Error
	if err != nil {
		return nil, t.classify(err, "find members")
	}
	out := make([]survey.Member, len(rows))
	for i, r := range rows {
		out[i] = survey.Member{User: survey.User{ID: r.ID, Email: r.Email, Admin: r.Admin == 1, CreatedAt: ParseTime(r.CreatedAt)}, Role: survey.Role(r.Role)}
	}
	return out, nil
}
