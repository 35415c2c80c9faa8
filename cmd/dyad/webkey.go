package main

import (
	"context"
	"crypto/rand"

	"github.com/dyad-survey/dyad/internal/survey"
)

// webKey returns the key that signs the respondent pages' CSRF tokens,
// made on the first start and kept in the database: a key that changed on
// every restart would turn every page open at that moment into a "page
// expired" error.
func webKey(ctx context.Context, st survey.Settings) ([]byte, error) {
	key, err := st.Setting(ctx, survey.SettingWebKey)
	if err != nil || len(key) == 32 {
		return key, err
	}
	key = make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand crashes instead)
	return key, st.PutSetting(ctx, survey.SettingWebKey, key)
}
