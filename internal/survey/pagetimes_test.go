package survey_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/survey"
)

func TestPageTimes(t *testing.T) {
	var none survey.PageTimes
	a := none.Added("s1", 1500*time.Millisecond)
	b := a.Added("s1", 2*time.Second).Added("s2", -time.Second).Added("s3", 3*time.Hour)
	if none != nil || !reflect.DeepEqual(a, survey.PageTimes{"s1": 1500}) {
		t.Errorf("Added changed its receiver or added wrong: %v %v", none, a)
	}
	want := survey.PageTimes{"s1": 3500, "s2": 0, "s3": survey.MaxPageVisit.Milliseconds()}
	if !reflect.DeepEqual(b, want) || b.Total() != 3500+survey.MaxPageVisit.Milliseconds() {
		t.Errorf("got %v (total %d), want %v: a clock step back counts 0, a visit at most MaxPageVisit", b, b.Total(), want)
	}
	if s := b.Encode(); s != `{"s1":3500,"s2":0,"s3":3600000}` {
		t.Errorf("Encode = %s", s)
	}
	if none.Encode() != "" {
		t.Error("no page times do not encode as empty")
	}
	back, err := survey.ParsePageTimes(b.Encode())
	if err != nil || !reflect.DeepEqual(back, b) {
		t.Errorf("ParsePageTimes: %v %v", back, err)
	}
	if p, err := survey.ParsePageTimes(""); p != nil || err != nil {
		t.Errorf(`ParsePageTimes(""): %v %v`, p, err)
	}
	if _, err := survey.ParsePageTimes("{bad"); err == nil {
		t.Error("bad JSON accepted")
	}
	var reuse survey.PageTimes
	got, _ := survey.DecodePageTimesInto(&reuse, []byte(`{"x":1}`))
	got2, _ := survey.DecodePageTimesInto(&reuse, []byte(`{"y":2}`))
	if !reflect.DeepEqual(got2, survey.PageTimes{"y": 2}) || len(got) != 1 {
		t.Errorf("DecodePageTimesInto keeps an earlier row's sections: %v", got2)
	}
	if g, _ := survey.DecodePageTimesInto(&reuse, nil); g != nil {
		t.Error("no page times decode as some")
	}
}
