package server

import (
	"net/http"

	"github.com/dyad-survey/dyad/internal/survey"
)

// The policy table: who may call each route, and what the audit trail
// records when someone does. It is the only place that decides by role;
// the authentication middleware (Auth.Researcher for the API, the
// dashboard's session check) asks Authorize, which reads this table, and
// no handler looks at a role. A route that is not in the table is refused
// to everyone but the global admin, and TestAuthorizationMatrix
// (cmd/dyad) fails for it: adding a route means adding its row here.
//
// One row per route, as gin names it (method and pattern, parameters as
// :name):
//
//	{"GET", "/api/v1/surveys/:id/export.csv", DataReaders, "export.download"},
//	 method  pattern                          who           audit action ("" = not recorded)
//
// Who is a set of roles (the constants below). A global admin, and the
// holder of the researcher token (the bootstrap credential: printed at
// first start or DYAD_ADMIN_TOKEN), may call every route. The role that
// counts is the actor's role in the study the request concerns (study.go
// says which study that is).
//
// What the roles mean (issue "a research team"): owner everything and
// the members; editor instruments, surveys and invitation codes; analyst
// statistics, exports and free text; viewer aggregate statistics only:
// no export, no free text, no single responses.

// Who is the set of roles a rule admits.
type Who uint8

// The sets of the policy table.
const (
	Owner Who = 1 << iota
	Editor
	Analyst
	Viewer
	// Anyone: no sign-in needed (respondents, health checks, the sign-in
	// form). Such a route is never recorded in the audit trail unless it
	// is a sign-in (respondents' addresses are not stored).
	Anyone
	// SignedIn: any signed-in researcher, with or without a role in the
	// study (their own tokens, signing out).
	SignedIn

	// AdminOnly admits the global admin alone (the set is empty).
	AdminOnly Who = 0
	// Staff is every role of the study.
	Staff = Owner | Editor | Analyst | Viewer
	// Changers change instruments, surveys and codes.
	Changers = Owner | Editor
	// DataReaders read single responses, free text and exports.
	DataReaders = Owner | Analyst
)

// Admits reports whether a holder of role may call a route open to w.
func (w Who) Admits(role survey.Role) bool {
	switch role {
	case survey.RoleOwner:
		return w&Owner != 0
	case survey.RoleEditor:
		return w&Editor != 0
	case survey.RoleAnalyst:
		return w&Analyst != 0
	case survey.RoleViewer:
		return w&Viewer != 0
	}
	return false
}

// Rule is one row of the policy table.
type Rule struct {
	Method string
	Path   string
	Who    Who
	// Audit names the action the audit trail records for the route, ""
	// for none.
	Audit string
}

// exportFiles are the export downloads, served under
// /api/v1/surveys/:id/ and /admin/surveys/:id/ alike.
var exportFiles = []string{"export.csv", "codebook.csv", "export.R", "export.sps", "export.do", "export.zip",
	"export.sav", "export.dta", "export.xlsx", "export-redcap.csv", "export.ndjson"}

// Policy is the policy table.
var Policy = buildPolicy()

func buildPolicy() []Rule {
	const get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	rules := []Rule{
		// Health and metrics.
		{get, "/healthz", Anyone, ""},
		{get, "/readyz", Anyone, ""},
		{get, "/metrics", AdminOnly, ""},
		// Respondents.
		{get, "/api/v1/public/surveys/:id", Anyone, ""},
		{post, "/api/v1/public/surveys/:id/responses", Anyone, ""},
		{get, "/s/static/:file", Anyone, ""},
		{get, "/s/:id", Anyone, ""},
		{post, "/s/:id/start", Anyone, ""},
		{get, "/s/:id/start", Anyone, ""},
		{get, "/s/:id/p/:n", Anyone, ""},
		{post, "/s/:id/p/:n", Anyone, ""},
		{get, "/s/:id/resume", Anyone, ""},
		{post, "/s/:id/resume", Anyone, ""},
		{get, "/s/:id/done", Anyone, ""},

		// The API.
		{post, "/api/v1/instruments", Changers, "instrument.create"},
		{get, "/api/v1/instruments", Staff, ""},
		{get, "/api/v1/instruments/:key/versions/:version", Staff, ""},
		{put, "/api/v1/instruments/:key/versions/:version", Changers, "instrument.update"},
		{del, "/api/v1/instruments/:key/versions/:version", Changers, "instrument.delete"},
		{post, "/api/v1/instruments/:key/versions/:version/publish", Changers, "instrument.publish"},
		{post, "/api/v1/instruments/:key/versions/:version/retire", Changers, "instrument.retire"},
		{get, "/api/v1/instruments/:key/versions/:version/export", Staff, ""},
		{get, "/api/v1/instruments/:key/diff", Staff, ""},
		{post, "/api/v1/instruments/check", Changers, ""},
		{get, "/api/v1/instruments/:key/versions/:version/translations/:lang", Staff, ""},
		{put, "/api/v1/instruments/:key/versions/:version/translations/:lang", Changers, "instrument.translate"},
		{post, "/api/v1/surveys", Changers, "survey.create"},
		{get, "/api/v1/surveys", Staff, ""},
		{get, "/api/v1/surveys/:id", Staff, ""},
		{post, "/api/v1/surveys/:id/close", Changers, "survey.close"},
		{patch, "/api/v1/surveys/:id", Changers, "survey.update"},
		{del, "/api/v1/surveys/:id", Changers, "survey.delete"},
		{post, "/api/v1/surveys/:id/live", Changers, "survey.go_live"},
		{del, "/api/v1/surveys/:id/responses", Changers, "responses.delete_test"},
		{post, "/api/v1/surveys/:id/invitations", Changers, "codes.issue"},
		{get, "/api/v1/surveys/:id/invitations", Staff, ""},
		{get, "/api/v1/surveys/:id/responses", DataReaders, "responses.read"},
		{get, "/api/v1/surveys/:id/stats", Staff, "stats.view"},
		{get, "/api/v1/surveys/:id/psychometrics", Staff, "psychometrics.view"},
		{get, "/api/v1/surveys/:id/text/:item_id", DataReaders, "text.view"},
		{get, "/api/v1/backup", AdminOnly, "backup.download"},
		// Participants: names and e-mail addresses, and the mailings to
		// them. Recruiting is the editors' work; analysts and viewers see
		// the data, not who was asked for it.
		{get, "/api/v1/surveys/:id/participants", Changers, "participants.view"},
		{post, "/api/v1/surveys/:id/participants", Changers, "participants.add"},
		{post, "/api/v1/surveys/:id/participants/upload", Changers, "participants.upload"},
		{get, "/api/v1/surveys/:id/participants/export", Changers, "participants.export"},
		{get, "/api/v1/surveys/:id/participants/:pid", Changers, "participants.view"},
		{patch, "/api/v1/surveys/:id/participants/:pid", Changers, "participants.update"},
		{del, "/api/v1/surveys/:id/participants/:pid", Changers, "participants.delete"},
		{get, "/api/v1/surveys/:id/templates", Changers, ""},
		{put, "/api/v1/surveys/:id/templates", Changers, "templates.update"},
		{post, "/api/v1/surveys/:id/templates/preview", Changers, ""},
		{post, "/api/v1/surveys/:id/templates/test", Changers, "templates.test_send"},
		{get, "/api/v1/surveys/:id/mailing", Changers, ""},
		{put, "/api/v1/surveys/:id/mailing", Changers, "mailing.update"},
		{post, "/api/v1/surveys/:id/mailing/invitations", Changers, "mailing.send_invitations"},
		{get, "/api/v1/surveys/:id/outbox", Changers, ""},
		// A participant's opt-out link: the token is the credential.
		{get, "/optout/:token", Anyone, ""},
		{post, "/optout/:token", Anyone, ""},
		{get, "/api/v1/tokens", SignedIn, ""},
		{post, "/api/v1/tokens", SignedIn, "token.create"},
		{del, "/api/v1/tokens/:token", SignedIn, "token.revoke"},
		// Studies: any researcher lists the studies they are in; an owner
		// (of the study the request is about) makes a new one and is its
		// owner, and requires a second factor of its members.
		{get, "/api/v1/studies", SignedIn, ""},
		{post, "/api/v1/studies", Owner, "study.create"},
		{get, "/api/v1/studies/:study", Staff, ""},
		{patch, "/api/v1/studies/:study", Owner, "study.update"},

		// The dashboard.
		{get, "/admin/static/:file", Anyone, ""},
		{get, "/admin/login", Anyone, ""},
		{post, "/admin/login", Anyone, ""}, // records auth.sign_in and auth.sign_in_failed itself
		{get, "/admin/logout", Anyone, ""},
		{post, "/admin/logout", SignedIn, "auth.sign_out"},
		{post, "/admin/logout/everywhere", SignedIn, "auth.sign_out_everywhere"},
		{get, "/admin", Staff, ""},
		{get, "/admin/surveys", Staff, ""},
		{get, "/admin/surveys/:id", Staff, "stats.view"},
		{get, "/admin/surveys/:id/validation", Staff, "psychometrics.view"},
		{get, "/admin/surveys/:id/text/:item", DataReaders, "text.view"},
		{get, "/admin/instruments/new", Changers, ""},
		{post, "/admin/instruments", Changers, "instrument.create"},
		{get, "/admin/instruments/:key/versions/:version", Staff, ""},
		{post, "/admin/instruments/:key/versions/:version/publish", Changers, "instrument.publish"},
		{post, "/admin/instruments/:key/versions/:version/surveys", Changers, "survey.create"},
		{get, "/admin/instruments/:key/versions/:version/edit", Changers, ""},
		{post, "/admin/instruments/:key/versions/:version/edit", Changers, "instrument.update"},
		{post, "/admin/instruments/:key/versions/:version/retire", Changers, "instrument.retire"},
		{post, "/admin/instruments/check", Changers, ""},
		{get, "/admin/instruments/:key/diff", Staff, ""},
		{get, "/admin/instruments/:key/versions/:version/preview", Changers, ""},
		{get, "/admin/instruments/:key/versions/:version/preview/page", Changers, ""},
		{post, "/admin/instruments/:key/versions/:version/preview/page", Changers, ""},
		{post, "/admin/preview", Changers, ""},
		{get, "/admin/instruments/:key/versions/:version/print", Staff, ""},
		{get, "/admin/surveys/:id/settings", Changers, ""},
		{post, "/admin/surveys/:id/settings", Changers, "survey.update"},
		{post, "/admin/surveys/:id/reopen", Changers, "survey.update"},
		{post, "/admin/surveys/:id/mode", Changers, "survey.update"},
		{post, "/admin/surveys/:id/delete", Changers, "survey.delete"},
		{post, "/admin/surveys/:id/test-responses/delete", Changers, "responses.delete_test"},
		{post, "/admin/surveys/:id/close", Changers, "survey.close"},
		{post, "/admin/surveys/:id/invitations", Changers, "codes.issue"},
		{get, "/admin/surveys/:id/participants", Changers, "participants.view"},
		{get, "/admin/surveys/:id/participants/export", Changers, "participants.export"},
		{get, "/admin/tokens", SignedIn, ""},
		{post, "/admin/tokens", SignedIn, "token.create"},
		{post, "/admin/tokens/:token/revoke", SignedIn, "token.revoke"},
		{get, "/admin/totp", SignedIn, ""},
		{post, "/admin/totp", SignedIn, "auth.totp_change"},
		{get, "/admin/studies", SignedIn, ""},
		{post, "/admin/studies", Owner, "study.create"},
		{post, "/admin/studies/:study/totp", Owner, "study.update"},
		{get, "/admin/members", Owner, ""},
		{post, "/admin/members/invite", Owner, "member.invite"},
		{post, "/admin/members/:user/role", Owner, "member.role"},
		{get, "/admin/signup", Anyone, ""},
		{post, "/admin/signup", Anyone, ""}, // records member.join itself
		{get, "/admin/audit", Owner, "audit.view"},
		{get, "/admin/audit.csv", Owner, "audit.export"},
	}
	for _, f := range exportFiles {
		rules = append(rules,
			Rule{get, "/api/v1/surveys/:id/" + f, DataReaders, "export.download"},
			Rule{get, "/admin/surveys/:id/" + f, DataReaders, "export.download"})
	}
	return rules
}

// policyIndex finds a rule by method and pattern.
var policyIndex = func() map[string]*Rule {
	m := make(map[string]*Rule, len(Policy))
	for i := range Policy {
		r := &Policy[i]
		k := r.Method + " " + r.Path
		if m[k] != nil {
			panic("server: two policy rows for " + k)
		}
		m[k] = r
	}
	return m
}()

// RuleFor returns the policy row of a route, or nil if it has none.
func RuleFor(method, pattern string) *Rule {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	return policyIndex[method+" "+pattern]
}

// Allowed reports whether act may call the route of rule r (nil: a route
// missing from the table, which only an admin may call).
func Allowed(r *Rule, act Actor) bool {
	switch {
	case r != nil && r.Who&Anyone != 0:
		return true
	case act.Admin:
		return true
	case r == nil:
		return false
	case r.Who&SignedIn != 0:
		return act.ID != ""
	}
	return r.Who.Admits(act.Role)
}
