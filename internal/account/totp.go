package account

import (
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Optional second factor: TOTP (RFC 6238) with the common parameters every
// authenticator app reads (SHA-1, 6 digits, 30 s), a 160-bit secret, and
// one step of clock skew either way. The secret must be readable to check a
// code, so it is stored as is (users.totp_secret): a copy of the database
// gives codes, but not the password, which stays hashed. A code is used
// once: CheckTOTP returns its time step, and the store accepts a step only
// if it is later than the account's last (survey.Accounts.UseTOTPStep), so
// a code seen over a shoulder or in a proxy's log cannot be replayed within
// its 90 s window.

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
// before or a step after, and returns the time step it is the code of.
func CheckTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, skew := range []int64{-1, 0, 1} {
		at := now.Add(time.Duration(skew*30) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / 30, true
		}
	}
	return 0, false
}
