package httpapi_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/account"
	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/survey"
)

// studyEnv is a test server with two studies: the default study (1),
// whose owner is {ownerA} and viewer {viewerA}, holding the instrument
// wellbeing-test and the survey {surveyA}; and "Study B" (2), whose owner
// is {ownerB}, holding wellbeing-b and {surveyB}. Each account calls with
// an API token of its study and role.
func studyEnv(tb testing.TB, engine string) (*testEnv, vars) {
	tb.Helper()
	data := enginetest.Open(tb, engine)
	e := serveEnv(tb, data, nil, func(c *config) {
		c.API.Accounts, c.Config.Accounts, c.Config.Studies, c.API.Responses = data.Store, data.Store, data.Store, data.Store
	})
	ctx := context.Background()
	now := time.Now()
	st := e.Store
	if err := st.EnsureStudy(ctx, survey.DefaultStudy, "Default study", now); err != nil {
		tb.Fatal(err)
	}
	b := &survey.Study{Name: "Study B", CreatedAt: now}
	if err := st.CreateStudy(ctx, b, 0); err != nil {
		tb.Fatal(err)
	}
	hash, err := account.HashPassword(ctx, tokenPassword)
	if err != nil {
		tb.Fatal(err)
	}
	v := vars{}
	for _, m := range []struct {
		name  string
		study int64
		role  survey.Role
	}{{"ownerA", 1, survey.RoleOwner}, {"viewerA", 1, survey.RoleViewer}, {"ownerB", b.ID, survey.RoleOwner}} {
		u := &survey.User{Email: strings.ToLower(m.name) + "@example.org", PasswordHash: hash, CreatedAt: now}
		if err := st.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
		if err := st.SetMembership(ctx, survey.Membership{StudyID: m.study, UserID: u.ID, Role: m.role}); err != nil {
			tb.Fatal(err)
		}
		secret := "dyad_" + survey.NewToken()
		tk := &survey.APIToken{UserID: u.ID, StudyID: m.study, Name: m.name, Hash: survey.HashSecret(secret),
			Role: m.role, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := st.CreateAPIToken(ctx, tk); err != nil {
			tb.Fatal(err)
		}
		v[m.name] = "Bearer " + secret
	}
	e.createInstrument(tb, testInstrument(), ctJSON)
	e.publish(tb, "wellbeing-test", 1)
	v["surveyA"] = e.createSurvey(tb, nil)
	e.mustDo(tb, request{Method: "POST", URL: "/api/v1/instruments?study=2", Body: testInstrument(set("key", "wellbeing-b")),
		ContentType: ctJSON, Authorization: bearer}, 201)
	e.publish(tb, "wellbeing-b", 1)
	v["surveyB"] = e.createSurvey(tb, map[string]any{"instrument_key": "wellbeing-b"})
	return e, v
}

// TestStudiesAPI: the scenario rows of /api/v1/studies, and studies kept
// apart: a member of one study is refused the other's surveys,
// instruments, responses, exports and statistics, lists show the
// requester's studies only, a new instrument joins the request's study,
// a survey cannot be made from another study's instrument, and a token
// is made for one study.
func TestStudiesAPI(t *testing.T) {
	type row struct {
		name, method, url, body, auth string
		status                        int
		code                          string
		paths                         []string
		want, not                     []string
	}
	rows := []row{
		{name: "ListOwnStudies", method: "GET", url: "/api/v1/studies", auth: "{ownerA}", status: 200,
			want: []string{`"name":"Default study"`, `"role":"owner"`}, not: []string{"Study B"}},
		{name: "ListOtherStudies", method: "GET", url: "/api/v1/studies", auth: "{ownerB}", status: 200,
			want: []string{`"name":"Study B"`}, not: []string{"Default study"}},
		{name: "ListEveryStudyAsResearcher", method: "GET", url: "/api/v1/studies", auth: bearer, status: 200,
			want: []string{"Default study", "Study B"}},
		{name: "ErrListNoToken", method: "GET", url: "/api/v1/studies", status: 401, code: "unauthorized"},
		{name: "Create", method: "POST", url: "/api/v1/studies", body: `{"name":"  Study C "}`, auth: "{ownerB}", status: 201,
			want: []string{`"name":"Study C"`, `"role":"owner"`, `"id":3`, `"require_totp":false`}},
		{name: "ErrCreateNoName", method: "POST", url: "/api/v1/studies", body: `{"name":" "}`, auth: "{ownerA}", status: 422, code: "invalid", paths: []string{"name"}},
		{name: "ErrCreateLongName", method: "POST", url: "/api/v1/studies", body: `{"name":"` + strings.Repeat("n", 201) + `"}`, auth: "{ownerA}", status: 422, code: "invalid", paths: []string{"name"}},
		{name: "ErrCreateMalformed", method: "POST", url: "/api/v1/studies", body: `{"name":`, auth: "{ownerA}", status: 400, code: "malformed", paths: []string{""}},
		{name: "ErrCreateUnknownField", method: "POST", url: "/api/v1/studies", body: `{"name":"X","owner":3}`, auth: "{ownerA}", status: 422, code: "invalid", paths: []string{"owner"}},
		{name: "ErrCreateTaken", method: "POST", url: "/api/v1/studies", body: `{"name":"Study B"}`, auth: "{ownerA}", status: 409, code: "conflict"},
		{name: "ErrCreateViewer", method: "POST", url: "/api/v1/studies", body: `{"name":"Mine"}`, auth: "{viewerA}", status: 403, code: "forbidden"},
		{name: "ErrCreateNoToken", method: "POST", url: "/api/v1/studies", body: `{"name":"Mine"}`, status: 401, code: "unauthorized"},
		{name: "Get", method: "GET", url: "/api/v1/studies/2", auth: "{ownerB}", status: 200, want: []string{`"name":"Study B"`}},
		{name: "ErrGetOtherStudy", method: "GET", url: "/api/v1/studies/2", auth: "{viewerA}", status: 403, code: "forbidden"},
		{name: "ErrGetUnknown", method: "GET", url: "/api/v1/studies/99", auth: bearer, status: 404, code: "not_found"},
		{name: "ErrGetNotAnID", method: "GET", url: "/api/v1/studies/x", auth: "{ownerA}", status: 422, code: "invalid", paths: []string{"study"}},
		{name: "RequireTOTP", method: "PATCH", url: "/api/v1/studies/2", body: `{"require_totp":true}`, auth: "{ownerB}", status: 200,
			want: []string{`"require_totp":true`}},
		{name: "ErrRequireTOTPMissing", method: "PATCH", url: "/api/v1/studies/2", body: `{}`, auth: "{ownerB}", status: 422, code: "invalid", paths: []string{"require_totp"}},
		{name: "ErrRequireTOTPViewer", method: "PATCH", url: "/api/v1/studies/1", body: `{"require_totp":true}`, auth: "{viewerA}", status: 403, code: "forbidden"},
		{name: "ErrRequireTOTPOtherStudy", method: "PATCH", url: "/api/v1/studies/2", body: `{"require_totp":true}`, auth: "{ownerA}", status: 403, code: "forbidden"},
		{name: "ErrRequireTOTPUnknown", method: "PATCH", url: "/api/v1/studies/99", body: `{"require_totp":true}`, auth: bearer, status: 404, code: "not_found"},
		{name: "ErrRequireTOTPNoToken", method: "PATCH", url: "/api/v1/studies/2", body: `{"require_totp":true}`, status: 401, code: "unauthorized"},

		// Kept apart.
		{name: "ErrOtherStudysSurvey", method: "GET", url: "/api/v1/surveys/{surveyB}", auth: "{ownerA}", status: 403, code: "forbidden"},
		{name: "ErrOtherStudysResponses", method: "GET", url: "/api/v1/surveys/{surveyB}/responses", auth: "{ownerA}", status: 403, code: "forbidden"},
		{name: "ErrOtherStudysExport", method: "GET", url: "/api/v1/surveys/{surveyB}/export.csv", auth: "{ownerA}", status: 403, code: "forbidden"},
		{name: "ErrOtherStudysStats", method: "GET", url: "/api/v1/surveys/{surveyB}/stats", auth: "{ownerA}", status: 403, code: "forbidden"},
		{name: "ErrOtherStudysClose", method: "POST", url: "/api/v1/surveys/{surveyA}/close", auth: "{ownerB}", status: 403, code: "forbidden"},
		{name: "ErrOtherStudysInstrument", method: "GET", url: "/api/v1/instruments/wellbeing-b/versions/1", auth: "{ownerA}", status: 403, code: "forbidden"},
		{name: "OwnStudysSurvey", method: "GET", url: "/api/v1/surveys/{surveyB}", auth: "{ownerB}", status: 200},
		{name: "OwnStudysStats", method: "GET", url: "/api/v1/surveys/{surveyB}/stats", auth: "{ownerB}", status: 200},
		{name: "OwnStudysExport", method: "GET", url: "/api/v1/surveys/{surveyB}/export.csv", auth: "{ownerB}", status: 200},
		{name: "ListSurveysOwnStudy", method: "GET", url: "/api/v1/surveys", auth: "{ownerB}", status: 200,
			want: []string{"{surveyB}"}, not: []string{"{surveyA}"}},
		{name: "ListSurveysEveryStudyAsResearcher", method: "GET", url: "/api/v1/surveys", auth: bearer, status: 200,
			want: []string{"{surveyA}", "{surveyB}"}},
		{name: "ListSurveysChosenStudy", method: "GET", url: "/api/v1/surveys?study=2", auth: bearer, status: 200,
			want: []string{"{surveyB}"}, not: []string{"{surveyA}"}},
		{name: "ErrListSurveysStudyNotMine", method: "GET", url: "/api/v1/surveys?study=2", auth: "{ownerA}", status: 403, code: "forbidden"},
		{name: "ErrListSurveysUnknownStudy", method: "GET", url: "/api/v1/surveys?study=99", auth: bearer, status: 404, code: "not_found"},
		{name: "ErrListSurveysStudyNotAnID", method: "GET", url: "/api/v1/surveys?study=two", auth: "{ownerA}", status: 422, code: "invalid", paths: []string{"study"}},
		{name: "ListInstrumentsOwnStudy", method: "GET", url: "/api/v1/instruments", auth: "{ownerA}", status: 200,
			want: []string{"wellbeing-test"}, not: []string{"wellbeing-b"}},
		{name: "CreateInstrumentInHomeStudy", method: "POST", url: "/api/v1/instruments", body: testInstrument(set("key", "wellbeing-c")), auth: "{ownerB}", status: 201},
		{name: "ErrCreateInstrumentOtherStudysKey", method: "POST", url: "/api/v1/instruments", body: testInstrument(withVersion(2)), auth: "{ownerB}", status: 409, code: "conflict"},
		{name: "ErrCreateSurveyOtherStudysInstrument", method: "POST", url: "/api/v1/surveys",
			body: `{"instrument_key":"wellbeing-test","instrument_version":1,"title":"T","access":"open"}`, auth: "{ownerB}", status: 404, code: "not_found"},
		{name: "CreateSurveyOwnStudysInstrument", method: "POST", url: "/api/v1/surveys",
			body: `{"instrument_key":"wellbeing-b","instrument_version":1,"title":"T","access":"open"}`, auth: "{ownerB}", status: 201},
		{name: "TokenForTheRequestsStudy", method: "POST", url: "/api/v1/tokens",
			body: `{"name":"R","role":"viewer","expires_in_days":1,"password":"` + tokenPassword + `"}`, auth: "{ownerB}", status: 201, want: []string{`"study_id":2`}},
	}
	enginetest.Run(t, func(t *testing.T, engine string) {
		for _, r := range rows {
			t.Run(r.name, func(t *testing.T) {
				t.Parallel()
				e, v := studyEnv(t, engine)
				status, _, body := e.do(t, request{Method: r.method, URL: v.fill(r.url), Body: r.body, ContentType: ctJSON, Authorization: v.fill(r.auth)})
				if status != r.status {
					t.Fatalf("status %d, want %d: %s", status, r.status, truncate(body))
				}
				if r.code != "" {
					apiErr := decodeError(t, body)
					want := append([]string{}, r.paths...)
					sort.Strings(want)
					if apiErr.Error.Code != r.code || !slices.Equal(apiErr.detailPaths(), want) {
						t.Errorf("error %q paths %q, want %q %q", apiErr.Error.Code, apiErr.detailPaths(), r.code, want)
					}
				}
				for _, s := range r.want {
					if !strings.Contains(string(body), v.fill(s)) {
						t.Errorf("body lacks %s: %s", v.fill(s), truncate(body))
					}
				}
				for _, s := range r.not {
					if strings.Contains(string(body), v.fill(s)) {
						t.Errorf("body has %s: %s", v.fill(s), truncate(body))
					}
				}
				if r.name == "CreateInstrumentInHomeStudy" {
					if study, err := e.Store.FindStudyOfInstrument(context.Background(), "wellbeing-c"); err != nil || study != 2 {
						t.Errorf("the new instrument's study: %d %v, want 2", study, err)
					}
				}
			})
		}
	})
}
