package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// Setting names.
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
)

// Setting returns a stored setting, or nil when it was never set.
func (s *Store) Setting(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.readSQL.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return v, classify(err, "read setting")
}

// PutSetting stores a setting, replacing any earlier value.
func (s *Store) PutSetting(ctx context.Context, name string, value []byte) error {
	_, err := s.writeSQL.ExecContext(ctx,
		`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return classify(err, "write setting")
}
