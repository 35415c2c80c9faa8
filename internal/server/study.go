package server

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/dyad-survey/dyad/internal/survey"
	"github.com/gin-gonic/gin"
)

// The study a request concerns. Roles are per study (survey/studies.go),
// so before the policy table is asked, Authorize finds the study the
// request is about and takes the actor's role there:
//
//   - a route under /surveys/:id is about the survey's study, one under
//     /instruments/:key about the instrument key's, one under
//     /studies/:study about that study: the route's own subject decides,
//     whatever the query says;
//   - any other route (lists, creating an instrument or a survey, tokens,
//     members) is about the study its query's study parameter names
//     (?study=2), else the actor's home study: an API token's study, or
//     for an account the default study if it is a member there, else its
//     first study.
//
// A member of study A asking for study B's survey therefore has no role
// there and gets 403, whatever its role in A; an API token of study A
// has no role anywhere else. A survey, instrument or ?study that does not
// exist is 404 before any role is asked (an admin's request goes on to the
// handler, which says the same). Lists show what belongs to the studies
// the actor is a member of, or to the one study the query names (InList).

// StudyResolver finds the study of a survey or an instrument key
// (survey.StudyStore has these methods).
type StudyResolver interface {
	FindStudyOfSurvey(ctx context.Context, id string) (int64, error)
	FindStudyOfInstrument(ctx context.Context, key string) (int64, error)
	FindStudy(ctx context.Context, id int64) (*survey.Study, error)
}

// homeStudy is the study of a request that names none: the default
// study for its members, else the member's first study, else the default
// study (where a non-member has no role).
func homeStudy(roles map[int64]survey.Role) int64 {
	if roles[survey.DefaultStudy] != "" || len(roles) == 0 {
		return survey.DefaultStudy
	}
	first := int64(0)
	for id := range roles {
		if first == 0 || id < first {
			first = id
		}
	}
	return first
}

// inStudy returns act moved to the study the request concerns, with its
// role there.
func (a *Auth) inStudy(c *gin.Context, act Actor) (Actor, error) {
	if act.StudyID == 0 {
		act.StudyID = homeStudy(act.Studies)
	}
	pattern := c.FullPath()
	study, named, err := int64(0), false, error(nil)
	switch {
	case a.studies != nil && strings.Contains(pattern, "/surveys/:id"):
		study, err = a.studies.FindStudyOfSurvey(c.Request.Context(), c.Param("id"))
		named = true
	case a.studies != nil && strings.Contains(pattern, "/instruments/:key"):
		study, err = a.studies.FindStudyOfInstrument(c.Request.Context(), c.Param("key"))
		named = true
	case strings.Contains(pattern, "/studies/:study"):
		study, err = parseStudy("study", c.Param("study"))
		named = true
	case c.Query("study") != "":
		// A study the query names must exist, for admins too: nothing
		// is listed or made in a study that is not there.
		if study, err = parseStudy("study", c.Query("study")); err == nil && a.studies != nil {
			_, err = a.studies.FindStudy(c.Request.Context(), study)
		}
		if err != nil {
			return act, err
		}
		named, act.chosen = true, true
	}
	switch {
	case survey.ErrorCode(err) == survey.ENotFound && act.Admin:
		return act, nil // the handler answers 404 in its own words
	case err != nil:
		return act, err
	case named:
		act.StudyID = study
	}
	if act.Studies != nil || !act.Admin {
		act.Role = act.Studies[act.StudyID]
	}
	return act, nil
}

// parseStudy reads a study id: a positive integer.
func parseStudy(path, v string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		var p survey.Problems
		p.Add(path, "must be the id of a study (a positive integer), got %q", v)
		return 0, p.Err(survey.EInvalid, "the study is not valid")
	}
	return id, nil
}

// InList reports whether a list answered to the request of ctx shows
// what belongs to study: the one study the query named, else every study
// the actor is a member of (an admin: every study).
func InList(ctx context.Context, study int64) bool {
	act, ok := ActorFrom(ctx)
	switch {
	case !ok:
		return false
	case act.chosen:
		return study == act.StudyID
	case act.Admin:
		return true
	}
	return act.Studies[study] != ""
}

// AuthorizeIn asks the policy table again when the request's body, not
// its route, names what it acts on (the instrument of a new survey): the
// route's rule with the actor's role in that study. An actor with no role
// there gets notFound (what the study holds is not there for them), one
// whose role the rule does not admit EForbidden. On success the request's
// actor is moved to the study.
func AuthorizeIn(c *gin.Context, study int64, notFound error) error {
	act, _ := ActorFrom(c.Request.Context())
	if !act.Admin || act.Studies != nil {
		act.Role = act.Studies[study]
	}
	act.StudyID = study
	switch {
	case act.Admin:
	case act.Role == "":
		return notFound
	case !Allowed(RuleFor(c.Request.Method, c.FullPath()), act):
		return survey.Errorf(survey.EForbidden, "your role does not allow this")
	}
	WithActor(c, act)
	return nil
}

// AuditStudy returns the study an audit row is about: the last study= of
// its details (Record appends the request's study after the query, so a
// query cannot name another), or the default study for rows without one
// (sign-ins, tokens, and rows made before studies).
func AuditStudy(details string) int64 {
	q, _ := url.ParseQuery(details)
	if v := q["study"]; len(v) > 0 {
		if id, err := strconv.ParseInt(v[len(v)-1], 10, 64); err == nil {
			return id
		}
	}
	return survey.DefaultStudy
}

// SeesAuditRow reports whether the actor of ctx may see an audit row:
// an admin every row, an owner the rows of the studies it owns
// (AuditStudy).
func SeesAuditRow(ctx context.Context, details string) bool {
	act, ok := ActorFrom(ctx)
	switch {
	case !ok:
		return false
	case act.Admin:
		return true
	}
	return act.Studies[AuditStudy(details)] == survey.RoleOwner
}
