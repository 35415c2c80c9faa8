package server

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// Actor is who a request acts for, once authenticated. Today there is one
// kind: the holder of the researcher token, by bearer header (the API) or
// by a dashboard session begun with it. Researcher accounts with roles
// will add who and what they may do; handlers ask ActorFrom, never how
// the request authenticated.
type Actor struct {
	// ID names the actor in logs and, later, the audit log: "researcher"
	// for the token's holder.
	ID string
	// Method is how the request authenticated: "token" or "session".
	Method string
}

// Researcher is the holder of the researcher token.
const Researcher = "researcher"

// WithActor records the request's actor in its context.
func WithActor(c *gin.Context, a Actor) {
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), actorKey, a))
}

// ActorFrom returns the actor of the request ctx belongs to, if it
// authenticated.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey).(Actor)
	return a, ok
}

// Auth checks the researcher token, for the API's bearer header and the
// dashboard's sign-in form alike, with one failed-authentication budget
// per client (AuthGuard).
type Auth struct {
	tokenHash []byte
	guard     *AuthGuard
}

// TokenOK compares the token's hash with the researcher token's in
// constant time; only the hash is held.
func (a *Auth) TokenOK(token string) bool {
	return len(a.tokenHash) > 0 && subtle.ConstantTimeCompare(survey.HashSecret(token), a.tokenHash) == 1
}

// Blocked reports whether the request's client has used up its failures,
// and if so how long until it may try again.
func (a *Auth) Blocked(c *gin.Context) (time.Duration, bool) { return a.guard.Blocked(c) }

// Failed counts a failed attempt against the request's client.
func (a *Auth) Failed(c *gin.Context) { a.guard.Failed(c) }

// Researcher admits requests bearing the researcher token and records
// the researcher as their actor. A client that has sent too many wrong
// tokens is refused with 429 before its token is looked at (AuthGuard).
func (a *Auth) Researcher() gin.HandlerFunc {
	return func(c *gin.Context) {
		if wait, blocked := a.guard.Blocked(c); blocked {
			RetryAfter(c, wait)
			Fail(c, survey.Errorf(survey.ERateLimited, "too many failed attempts to authenticate from this address; retry in %s", wait.Round(time.Second).String()))
			return
		}
		const prefix = "Bearer "
		h := c.GetHeader("Authorization")
		if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
			c.Header("WWW-Authenticate", `Bearer realm="dyad"`)
			Fail(c, survey.Errorf(survey.EUnauthorized, "researcher routes need the header Authorization: Bearer <token>"))
			return
		}
		if !a.TokenOK(strings.TrimSpace(h[len(prefix):])) {
			a.guard.Failed(c)
			c.Header("WWW-Authenticate", `Bearer realm="dyad", error="invalid_token"`)
			Fail(c, survey.Errorf(survey.EUnauthorized, "the researcher token is not valid"))
			return
		}
		WithActor(c, Actor{ID: Researcher, Method: "token"})
		c.Next()
	}
}
