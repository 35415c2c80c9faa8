package server

import (
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// clientKey: an IPv4 address, the /64 of an IPv6 address (mapped IPv4
// read as IPv4), or the raw client address; the rate
// limiter's clientID tells clients apart exactly as the key does.
func TestClientKey(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	ctx := func(remote string) *gin.Context {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", "/", nil)
		c.Request.RemoteAddr = remote
		return c
	}
	for remote, want := range map[string]string{
		"192.0.2.1:1234":             "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:80":  "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:443": "2001:db8:1:2::/64",
		"[::ffff:192.0.2.7]:80":      "192.0.2.7",
		"[fe80::1%eth0]:80":          "", // gin's ClientIP reads no zone
		"garbage":                    "",
	} {
		if got := clientKey(ctx(remote)); got != want {
			t.Errorf("%s: key %q, want %q", remote, got, want)
		}
	}
	same := func(a, b string) bool { return clientOf(ctx(a)) == clientOf(ctx(b)) }
	if !same("[2001:db8:1:2::1]:1", "[2001:db8:1:2:ffff::9]:2") || same("[2001:db8:1:2::1]:1", "[2001:db8:1:3::1]:1") ||
		!same("192.0.2.1:1", "[::ffff:192.0.2.1]:2") || same("192.0.2.1:1", "192.0.2.2:1") {
		t.Error("clientOf does not group clients as clientKey does")
	}
}
