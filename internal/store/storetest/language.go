package storetest

import (
	"context"
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// testResponseLanguage: the interface language is stored when the web
// form starts a response, replaced by a save in another language (the
// respondent switched), kept by a save that names none, stored with the
// submission, and read back by every read path: the resume, the API's
// reads and the export scan. A response sent through the API has none.
func testResponseLanguage(t *testing.T, s survey.Store) {
	ctx := context.Background()
	svc := survey.NewService(s)
	sv := SeedSurvey(t, s, survey.AccessOpen)
	if _, _, err := svc.StartProgress(ctx, sv.ID, "", "not a tag!"); survey.ErrorCode(err) != survey.EInvalid {
		t.Fatalf("a bad language: %v, want invalid", err)
	}
	p, tok, err := svc.StartProgress(ctx, sv.ID, "", "de")
	if err != nil {
		t.Fatal(err)
	}
	lang := func(want string) *survey.Progress {
		t.Helper()
		got, err := svc.FindProgress(ctx, sv.ID, tok)
		if err != nil || got.Language != want {
			t.Fatalf("language %q (%v), want %q", got.Language, err, want)
		}
		return got
	}
	lang("de")
	save := func(prog *survey.Progress, language string, a survey.Answers, action survey.SectionAction) survey.SaveSectionOutcome {
		t.Helper()
		out, err := svc.SaveSection(ctx, survey.SaveSectionInput{SurveyID: sv.ID, Token: tok, Progress: prog,
			Section: 0, Answers: a, Action: action, Language: language})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	save(lang("de"), "ar", survey.Answers{"q2": survey.TextVal("draft")}, survey.SectionBack)
	save(lang("ar"), "", survey.Answers{"q2": survey.TextVal("draft 2")}, survey.SectionBack)
	if out := save(lang("ar"), "fr-CA", survey.Answers{"q1": survey.IntVal(2), "q2": survey.TextVal("final")}, survey.SectionNext); out.Kind != survey.SectionCompleted {
		t.Fatalf("submit: outcome %d", out.Kind)
	}
	if r, err := s.FindResponse(ctx, p.ID); err != nil || r.Language != "fr-CA" || r.Status != survey.ResponseComplete {
		t.Fatalf("submitted: %+v, %v", r, err)
	}
	api := NewResponse(sv, 1)
	if _, _, err := s.CreateResponse(ctx, api, nil); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.FindResponses(ctx, survey.ResponseFilter{SurveyID: sv.ID, Limit: 10})
	if err != nil || len(list) != 2 || list[0].Language != "fr-CA" || list[1].Language != "" {
		t.Fatalf("FindResponses: %d responses, %v", len(list), err)
	}
	var scanned []string
	err = s.ScanResponses(ctx, survey.ExportFilter{SurveyID: sv.ID}, func(r *survey.Response) error {
		scanned = append(scanned, r.Language)
		return nil
	})
	if err != nil || len(scanned) != 2 || scanned[0] != "fr-CA" || scanned[1] != "" {
		t.Fatalf("ScanResponses: %q, %v", scanned, err)
	}
}
