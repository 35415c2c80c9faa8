package survey

import (
	"strings"
	"testing"
	"time"
)

// progressForm has three sections: a branch (uses → tools → other), a
// section of one optional item, and a last one with a required item.
func progressForm(tb testing.TB) *Form {
	tb.Helper()
	one, five := int64(1), int64(5)
	in := &Instrument{
		Key: "progress-test", Version: 1, Title: "Progress",
		Scales: []Scale{{ID: "agree", Options: []Option{{Value: 1, Label: "No"}, {Value: 2, Label: "Maybe"}, {Value: 3, Label: "Yes"}}}},
		Sections: []Section{
			{ID: "a", Title: "A", Items: []Item{
				{ID: "uses", Type: SingleChoice, Text: "Uses?", Required: true, Options: []Option{{Value: 1, Label: "Yes"}, {Value: 0, Label: "No"}}},
				{ID: "tools", Type: MultipleChoice, Text: "Which?", Required: true, Options: []Option{{Value: 1, Label: "X"}, {Value: 5, Label: "Other"}}, ShowIf: &Condition{Item: "uses", Equals: &one}},
				{ID: "other", Type: Text, Text: "Other?", MaxLength: 10, ShowIf: &Condition{Item: "tools", Equals: &five}},
			}},
			{ID: "b", Title: "B", Items: []Item{
				{ID: "note", Type: Text, Text: "Note"},
			}},
			{ID: "c", Title: "C", Items: []Item{
				{ID: "agree", Type: Likert, Text: "Agree?", Scale: "agree", Required: true},
				{ID: "years", Type: Integer, Text: "Years", Min: ptr(int64(0)), Max: ptr(int64(60))},
			}},
		},
	}
	f, err := NewForm(in)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func TestKeepShown(t *testing.T) {
	f := progressForm(t)
	got := f.KeepShown(Answers{"uses": IntVal(0), "tools": ListVal(5), "other": TextVal("x"), "agree": IntVal(2), "zzz": IntVal(1)})
	if _, ok := got["tools"]; ok {
		t.Error("tools kept although uses = No hides it")
	}
	if _, ok := got["other"]; ok {
		t.Error("other kept although its parent is hidden")
	}
	for _, id := range []string{"uses", "agree", "zzz"} {
		if _, ok := got[id]; !ok {
			t.Errorf("%s dropped", id)
		}
	}
}

func TestCheckSection(t *testing.T) {
	f := progressForm(t)
	t.Run("RequiredInSectionOnly", func(t *testing.T) {
		err := f.CheckSection(Answers{"uses": IntVal(1)}, 0, false)
		if d := details(err); len(d) != 1 || d[0].Path != "answers.tools" || d[0].Message != "is required" {
			t.Fatalf("got %v", err)
		}
		// agree (section c) is required too, but not on this page.
		if err := f.CheckSection(Answers{"uses": IntVal(0)}, 0, false); err != nil {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("PartialKeepsWrongValues", func(t *testing.T) {
		a := Answers{"agree": IntVal(9), "years": IntVal(75)}
		if err := f.CheckSection(a, 2, true); len(details(err)) != 2 {
			t.Fatalf("got %v", err)
		}
		if err := f.CheckSection(Answers{}, 2, true); err != nil {
			t.Fatalf("partial reports a missing answer: %v", err)
		}
		if err := f.CheckSection(a, 0, false); len(details(err)) != 1 { // only uses, required
			t.Fatalf("section a reports other sections' problems: %v", err)
		}
	})
	t.Run("SameMessagesAsCheck", func(t *testing.T) {
		a := Answers{"uses": IntVal(1), "tools": ListVal(5), "other": TextVal(strings.Repeat("x", 11))}
		whole, section := details(f.Check(a, false)), details(f.CheckSection(a, 0, false))
		if len(section) != 1 || section[0] != whole[0] {
			t.Fatalf("section %v, whole %v", section, whole)
		}
	})
}

func details(err error) []Detail {
	if e, ok := err.(*Error); ok {
		return e.Details
	}
	return nil
}

func TestResumeSection(t *testing.T) {
	f := progressForm(t)
	for _, tc := range []struct {
		name string
		a    Answers
		want int
	}{
		{"Fresh", Answers{}, 0},
		{"BranchOpen", Answers{"uses": IntVal(1)}, 0},
		{"FirstDone", Answers{"uses": IntVal(0)}, 1},
		{"OptionalSectionPassed", Answers{"uses": IntVal(0), "years": IntVal(3)}, 2},
		{"RequiredMissingLater", Answers{"uses": IntVal(0), "note": TextVal("n")}, 2},
		{"AllAnswered", Answers{"uses": IntVal(0), "agree": IntVal(3)}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.ResumeSection(tc.a); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestSectionShown(t *testing.T) {
	one := int64(1)
	in := &Instrument{Key: "hidden-section", Version: 1, Title: "T", Sections: []Section{
		{ID: "a", Title: "A", Items: []Item{{ID: "q", Type: SingleChoice, Text: "Q", Options: []Option{{Value: 1, Label: "Y"}, {Value: 0, Label: "N"}}}}},
		{ID: "b", Title: "B", Items: []Item{{ID: "r", Type: Text, Text: "R", ShowIf: &Condition{Item: "q", Equals: &one}}}},
		{ID: "c", Title: "C", Items: []Item{{ID: "s", Type: Text, Text: "S", Required: true}}},
	}}
	f, err := NewForm(in)
	if err != nil {
		t.Fatal(err)
	}
	a := Answers{"q": IntVal(0)}
	if f.SectionShown(a, 1) || !f.SectionShown(a, 2) {
		t.Fatal("section b should be hidden, c shown")
	}
	if got := f.ResumeSection(a); got != 2 {
		t.Fatalf("resume at %d, want 2 (skipping the hidden section)", got)
	}
}

func TestSealedCode(t *testing.T) {
	token := NewToken()
	sealed, err := sealCode(token, "ABCD-EFGH-JKMN")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "ABCD") {
		t.Fatal("the code is readable in the sealed bytes")
	}
	if code, err := openCode(token, sealed); err != nil || code != "ABCD-EFGH-JKMN" {
		t.Fatalf("open: %q, %v", code, err)
	}
	if _, err := openCode(NewToken(), sealed); err == nil {
		t.Fatal("another token opened the code")
	}
	again, _ := sealCode(token, "ABCD-EFGH-JKMN")
	if string(again) == string(sealed) {
		t.Fatal("sealing twice gave the same bytes: the nonce is not random")
	}
}

func TestAvailability(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	for _, tc := range []struct {
		name string
		s    Survey
		want Availability
	}{
		{"Open", Survey{Status: SurveyOpen}, Accepting},
		{"Closed", Survey{Status: SurveyClosed}, NoLongerOpen},
		{"NotYet", Survey{Status: SurveyOpen, OpensAt: &later}, NotYetOpen},
		{"PastClose", Survey{Status: SurveyOpen, ClosesAt: &earlier}, NoLongerOpen},
		{"InWindow", Survey{Status: SurveyOpen, OpensAt: &earlier, ClosesAt: &later}, Accepting},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Availability(now); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
			if (tc.s.CheckOpen(now) == nil) != (tc.want == Accepting) {
				t.Fatal("Availability and CheckOpen disagree")
			}
		})
	}
}
