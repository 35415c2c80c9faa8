package survey

import (
	"reflect"
	"testing"
	"time"
)

// TestSameSurveySeesEveryField: sameSurvey decides whether a survey row
// read again is a new version; a field it forgot would leave respondents
// on a stale survey. Each field of Survey but the counts, changed alone,
// must make it say "different".
func TestSameSurveySeesEveryField(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	base := Survey{ID: "s1", InstrumentKey: "k", InstrumentVersion: 1, Title: "T", Access: AccessOpen,
		OpensAt: &at, ClosesAt: &at, Status: SurveyOpen, CreatedAt: at, ClosedAt: &at}
	if !sameSurvey(&base, &base) {
		t.Fatal("a survey differs from itself")
	}
	later := at.Add(time.Hour)
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if name == "Complete" || name == "InProgress" || name == "Test" {
			continue
		}
		changed := base
		f := reflect.ValueOf(&changed).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Int:
			f.SetInt(f.Int() + 1)
		case reflect.Pointer:
			f.Set(reflect.ValueOf(&later))
		case reflect.Struct:
			f.Set(reflect.ValueOf(later))
		default:
			t.Fatalf("field %s of kind %s: teach this test and sameSurvey about it", name, f.Kind())
		}
		if sameSurvey(&base, &changed) {
			t.Errorf("sameSurvey does not see a change of %s", name)
		}
	}
}
