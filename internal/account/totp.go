package account

import (
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Optional second factor: TOTP (RFC 6238) with the common parameters every
// authenticator app reads (SHA-1, 6 digits, 30 s), a 160-bit secret, and
// one step of clock skew either way. The secret must be readable to check a
// code, so it is stored as is (users.totp_secret): a copy of the database
// gives codes, but not the password, which stays hashed. Not done: refusing
// the same code twice within its 90 s window.

// NewTOTP makes a secret for the account and returns it with its
// otpauth:// URI (what a QR code would hold) for an authenticator app.
func NewTOTP(email string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Dyad", AccountName: email, SecretSize: 20,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Period: 30})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// CheckTOTP reports whether code is the secret's code at now, a step
// before or a step after.
func CheckTOTP(secret, code string, now time.Time) bool {
	if secret == "" || len(code) != 6 {
		return false
	}
	ok, err := totp.ValidateCustom(code, secret, now, totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return err == nil && ok
}
