package server_test

import (
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestPolicyHoldsTheRoles pins what the roles mean against the table's
// rows, so that a row cannot drift from the promise: a viewer sees
// aggregate statistics only (no export, no free text, no single
// responses, no audit trail); an editor changes instruments, surveys and
// codes but reads no data; an analyst reads data but changes nothing;
// only owners (and admins) manage members, make studies and set their
// rules, and read the audit trail; the full backup is the
// admin's; respondent routes are open and never audited. The matrix test
// (cmd/dyad) checks that the middleware enforces the table on every
// route.
func TestPolicyHoldsTheRoles(t *testing.T) {
	reads := map[string]bool{"export.download": true, "text.view": true, "responses.read": true}
	for _, r := range server.Policy {
		name := r.Method + " " + r.Path
		changes := r.Method != "GET" && r.Who&(server.Anyone|server.SignedIn) == 0
		switch {
		case reads[r.Audit]:
			if r.Who.Admits(survey.RoleViewer) || r.Who.Admits(survey.RoleEditor) || !r.Who.Admits(survey.RoleAnalyst) {
				t.Errorf("%s reads single responses: analysts and owners only", name)
			}
		case r.Audit == "stats.view":
			if !r.Who.Admits(survey.RoleViewer) {
				t.Errorf("%s: viewers see aggregate statistics", name)
			}
		case strings.HasPrefix(r.Audit, "member."):
			if r.Who != server.Owner {
				t.Errorf("%s: owners (and admins) manage the members", name)
			}
		case strings.HasPrefix(r.Audit, "study."):
			if r.Who != server.Owner {
				t.Errorf("%s: owners (and admins) make studies and set their rules", name)
			}
		case strings.HasPrefix(r.Audit, "audit."):
			if r.Who != server.Owner {
				t.Errorf("%s: the audit trail is for owners (and admins)", name)
			}
		case r.Audit == "backup.download":
			if r.Who != server.AdminOnly {
				t.Errorf("%s: the full backup is the admin's", name)
			}
		case changes:
			if r.Who.Admits(survey.RoleAnalyst) || r.Who.Admits(survey.RoleViewer) || !r.Who.Admits(survey.RoleEditor) {
				t.Errorf("%s changes the study: editors and owners only", name)
			}
		}
		// survey.Role.Covers lets every role make a viewer's token.
		if r.Who.Admits(survey.RoleViewer) && r.Who&server.Staff != server.Staff {
			t.Errorf("%s admits viewers but not every role: a viewer-scoped token would exceed some accounts", name)
		}
		if r.Who&server.Anyone != 0 && r.Audit != "" {
			t.Errorf("%s is open to anyone and audited: respondents' requests are never recorded", name)
		}
		if (strings.HasPrefix(r.Path, "/s/") || strings.HasPrefix(r.Path, "/api/v1/public/")) && r.Who != server.Anyone {
			t.Errorf("%s is a respondent route: open to anyone", name)
		}
	}
}
