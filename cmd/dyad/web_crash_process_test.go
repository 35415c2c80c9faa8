//go:build integration

package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

// webRespondent is one browser going through the web form, and what the
// server acknowledged to it: a 303 after Start, after each section's save,
// and after Submit.
type webRespondent struct {
	client  *http.Client
	csrf    string
	planned survey.Answers
	started bool
	token   string         // the resume cookie, once started
	acked   survey.Answers // the answers of every acknowledged save
	last    int            // 0-based index of the last section acknowledged, -1 none
	done    bool           // Submit acknowledged
}

var (
	webCSRF    = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	webSection = regexp.MustCompile(`/p/([0-9]+)$`)
)

func newWebRespondent(form *survey.Form, rng *rand.Rand) *webRespondent {
	jar, _ := cookiejar.New(nil)
	return &webRespondent{
		client: &http.Client{Jar: jar, Timeout: 20 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		planned: sample.Answers(form, rng), acked: survey.Answers{}, last: -1,
	}
}

func (r *webRespondent) send(p *proc, method, path string, form url.Values) (int, string, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.base+path, body)
	if err != nil {
		return 0, "", "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b), err
}

// sectionPost is the form of section si as the page's script posts it.
func sectionPost(form *survey.Form, si int, a survey.Answers, csrf string) (url.Values, survey.Answers) {
	post := url.Values{"_csrf": {csrf}, "_action": {"next"}}
	posted := survey.Answers{}
	var shown []string
	for _, it := range form.Instrument.Sections[si].Items {
		if !form.IsShown(it.ID, a) {
			continue
		}
		shown = append(shown, it.ID)
		v, ok := a[it.ID]
		if !ok {
			continue
		}
		posted[it.ID] = v
		switch v.Kind {
		case survey.IntValue:
			post.Set(it.ID, strconv.FormatInt(v.Int, 10))
		case survey.TextValue:
			post.Set(it.ID, v.Text)
		case survey.ListValue:
			for _, n := range v.List {
				post.Add(it.ID, strconv.FormatInt(n, 10))
			}
		}
	}
	post.Set("_shown", strings.Join(shown, " "))
	return post, posted
}

// walk posts sections from loc on, following each 303, until the
// thank-you page or an error; every 303 after a save is recorded as
// acknowledged.
func (r *webRespondent) walk(p *proc, form *survey.Form, loc string) error {
	for range 4 * len(form.Instrument.Sections) {
		status, _, _, err := r.send(p, http.MethodGet, loc, nil)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("GET %s: status %d", loc, status)
		}
		if strings.HasSuffix(loc, "/done") {
			return nil
		}
		m := webSection.FindStringSubmatch(loc)
		if m == nil {
			return fmt.Errorf("redirected to %s", loc)
		}
		si, _ := strconv.Atoi(m[1])
		si--
		post, posted := sectionPost(form, si, r.planned, r.csrf)
		status, next, _, err := r.send(p, http.MethodPost, loc, post)
		if err != nil {
			return err
		}
		if status != http.StatusSeeOther {
			return fmt.Errorf("POST %s: status %d", loc, status)
		}
		for id, v := range posted {
			r.acked[id] = v
		}
		r.last = si
		if strings.HasSuffix(next, "/done") {
			r.done = true
		}
		loc = next
	}
	return errors.New("no thank-you page")
}

// journey runs the respondent from the welcome page.
func (r *webRespondent) journey(p *proc, form *survey.Form) error {
	base := "/s/" + p.survey
	status, _, page, err := r.send(p, http.MethodGet, base, nil)
	if err != nil {
		return err
	}
	m := webCSRF.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		return fmt.Errorf("welcome page: status %d", status)
	}
	r.csrf = m[1]
	status, loc, _, err := r.send(p, http.MethodPost, base+"/start", url.Values{"_csrf": {r.csrf}})
	if err != nil {
		return err
	}
	if status != http.StatusSeeOther {
		return fmt.Errorf("start: status %d", status)
	}
	u, _ := url.Parse(p.base + base + "/")
	for _, c := range r.client.Jar.Cookies(u) {
		if c.Name == "dyad_resume" {
			r.token = c.Value
		}
	}
	if r.token == "" {
		return errors.New("start set no resume cookie")
	}
	r.started = true
	return r.walk(p, form, loc)
}

// TestCrashLosesNoAcknowledgedPage kills the server with SIGKILL while
// virtual respondents go through the web form, then checks after a
// restart that every page whose save was answered with a 303 is stored
// (the response of every acknowledged Start, every acknowledged answer,
// completion when Submit was acknowledged), and that respondents caught
// in the middle resume where they were and can finish.
func TestCrashLosesNoAcknowledgedPage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "webcrash.db")
	form, err := sample.StudyForm()
	if err != nil {
		t.Fatal(err)
	}
	p := startDyad(t, db)
	var (
		mu   sync.Mutex
		all  []*webRespondent
		stop = make(chan struct{})
		wg   sync.WaitGroup
	)
	for w := range 16 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := newWebRespondent(form, rng)
				mu.Lock()
				all = append(all, r)
				mu.Unlock()
				if err := r.journey(p, form); err != nil {
					return // the server is gone
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	close(stop)
	wg.Wait()

	p2 := startDyad(t, db)
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var integrity string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %q %v", integrity, err)
	}
	var started, completed, pages int
	var midway []*webRespondent
	for _, r := range all {
		if !r.started {
			continue
		}
		started++
		var status, answers string
		err := conn.QueryRow(`SELECT status, answers FROM responses WHERE resume_hash = ?`, survey.HashSecret(r.token)).Scan(&status, &answers)
		if err != nil {
			t.Errorf("a respondent's acknowledged start is not stored: %v", err)
			continue
		}
		var stored survey.Answers
		if err := json.Unmarshal([]byte(answers), &stored); err != nil {
			t.Fatal(err)
		}
		for id, v := range r.acked {
			if !reflect.DeepEqual(stored[id], v) {
				t.Errorf("acknowledged answer %s: stored %+v, sent %+v", id, stored[id], v)
			}
		}
		pages += r.last + 1
		switch {
		case r.done:
			completed++
			if status != survey.ResponseComplete {
				t.Errorf("a response whose Submit was acknowledged is %s", status)
			}
		case status == survey.ResponseInProgress:
			midway = append(midway, r)
		}
	}
	if started == 0 || pages == 0 {
		t.Fatalf("nothing acknowledged before the kill: %d starts, %d pages", started, pages)
	}

	// Respondents caught midway open the survey again in the same browser:
	// back to the section after their last acknowledged one (or the one
	// after that, when a save in flight at the kill was committed but its
	// 303 never arrived), and on to the thank-you page.
	resumed := 0
	for _, r := range midway[:min(len(midway), 8)] {
		status, loc, _, err := r.send(p2, http.MethodGet, "/s/"+p2.survey, nil)
		if err != nil || status != http.StatusSeeOther {
			t.Errorf("resume: %d %v, want a 303 to where the respondent was", status, err)
			continue
		}
		m := webSection.FindStringSubmatch(loc)
		if m == nil {
			t.Errorf("resume after section %d went to %s", r.last+1, loc)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n-1 != r.last+1 && n-1 != r.last+2 {
			t.Errorf("resume after section %d (1-based) went to section %d", r.last+1, n)
		}
		if err := r.walk(p2, form, loc); err != nil || !r.done {
			t.Errorf("a resumed respondent could not finish: %v", err)
			continue
		}
		resumed++
	}
	p2.cmd.Process.Signal(syscall.SIGTERM)
	<-p2.exited
	t.Logf("killed with %d respondents started, %d sections and %d submits acknowledged; all stored after restart; %d of %d caught midway resumed and finished",
		started, pages, completed, resumed, len(midway))
}
