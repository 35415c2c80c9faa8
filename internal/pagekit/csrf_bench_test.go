package pagekit_test

import (
	"testing"

	"github.com/dyad-survey/dyad/internal/pagekit"
)

// BenchmarkCSRF is what every respondent page and every POST of one pays
// for its token: a signature, and a check of the token sent back.
func BenchmarkCSRF(b *testing.B) {
	k := pagekit.NewCSRF([]byte("0123456789abcdef0123456789abcdef"), "")
	secret := pagekit.RandomValue()
	tok := k.Sign("ab12cd34ef", secret)
	c := post(tok)
	c.Request.ParseForm()
	b.ReportAllocs()
	for b.Loop() {
		if k.Sign("ab12cd34ef", secret) != tok || !k.Check(c, "ab12cd34ef", secret) {
			b.Fatal("token refused")
		}
	}
}
