package main

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
)

// The invitation key (internal/survey/secret.go) hashes invitation codes so
// that whoever holds the database or a backup of it, but not the key,
// cannot tell which code a row is. It must therefore live outside the
// database: a file, by default next to it as <db>.key, created 0600 on the
// first start, holding 64 hex digits. It is never written to the database
// or into a backup; the operator backs it up apart from the data.
//
// The database keeps only a check value (an HMAC of a constant under the
// key), so that a server started with a missing or different key file
// refuses to start instead of silently rejecting every issued code.

// defaultKeyFile is the key file's path for a database: next to a SQLite
// file; for a database URL (PostgreSQL), dyad.key in the working
// directory. Every instance on one PostgreSQL database needs a copy of the
// same file: one started with a new or another key refuses to start (the
// check value below), rather than reject the codes.
func defaultKeyFile(db string) string {
	if strings.Contains(db, "://") {
		return "dyad.key"
	}
	return db + ".key"
}

// invitationKey reads the key file, creating it if it is missing and the
// database has never had a key.
func invitationKey(ctx context.Context, st survey.Settings, path string) ([]byte, error) {
	check, err := st.Setting(ctx, survey.SettingInvitationKeyCheck)
	if err != nil {
		return nil, err
	}
	key, err := readKeyFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && check != nil:
		return nil, fmt.Errorf("invitation key file %s is missing, but this database's invitation codes were issued under a key: restore the key file from where you keep it (or point --key-file at it); without it no issued code can be checked", path)
	case errors.Is(err, fs.ErrNotExist):
		key = survey.NewInvitationKey()
		if err := writeKeyFile(path, key); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	want := survey.InvitationKeyCheck(key)
	if check == nil {
		return key, st.PutSetting(ctx, survey.SettingInvitationKeyCheck, want)
	}
	if subtle.ConstantTimeCompare(check, want) != 1 {
		return nil, fmt.Errorf("invitation key file %s is not the key this database's invitation codes were issued under: restore the right key file", path)
	}
	return key, nil
}

func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("invitation key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != survey.InvitationKeySize {
		return nil, fmt.Errorf("invitation key file %s must hold %d hex digits", path, 2*survey.InvitationKeySize)
	}
	return key, nil
}

func writeKeyFile(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create invitation key file: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write invitation key file: %w", err)
	}
	return nil
}
