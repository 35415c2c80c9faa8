package main

// Journeys: virtual respondents doing in the web form what a browser with
// JavaScript does. Each one opens the welcome page, posts Start with the
// page's CSRF token, then posts every section page with its answers and
// follows each 303 (a GET of the next page) until the thank-you page:
// about 21 requests and 10 durable writes per journey on the study survey.
// Answers are drawn at random per respondent (sample.Answers: skip logic
// followed, free text of about 200 characters), and a section's follow-ups
// are posted when their condition holds, with the _shown list the page's
// script keeps.
//
// The ceiling is the same client against the same pages, recorded from one
// real journey and served back by a handler that does nothing (the replay
// routes of a server built with -tags loadtest:
// internal/httpapi/replay_loadtest.go). Location headers and cookie paths
// of the recording are moved under the replay prefix, so the client
// follows exactly the recorded path; the answers it posts still differ per
// respondent.
//
// Pages are asked for with gzip, as browsers do. The client decompresses
// only the welcome page (for the CSRF token) and reads every other body
// whole without decoding it: the measurement is of the server, and
// decoding on the same two cores would bill the server for the client's
// work. The same holds for both paths.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dyad-survey/dyad/internal/sample"
	"github.com/dyad-survey/dyad/internal/survey"
)

const replayPrefix = "/api/v1/public/replay"

var (
	csrfRe    = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	sectionRe = regexp.MustCompile(`/p/([0-9]+)$`)
)

// exchange is one request and its answer, as the recorder keeps it.
type exchange struct {
	Method string      `json:"method"`
	Path   string      `json:"path"`
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// journeyClient runs journeys against host (scheme and authority), at
// prefix ("" for Dyad's pages, replayPrefix for the ceiling).
type journeyClient struct {
	host, prefix, surveyID string
	form                   *survey.Form
	transport              http.RoundTripper
	record                 func(exchange) // set for the recording journey only
}

// journeyStats are the figures of one measurement.
type journeyStats struct {
	journeys  int64
	requests  int64
	errors    int64
	firstErr  string
	latencies []time.Duration
	elapsed   time.Duration
}

var errJourney = errors.New("journey")

// do sends one request and reads its answer whole; it returns the status,
// the Location and the body (still compressed).
func (jc *journeyClient) do(client *http.Client, method, path string, form url.Values, lat *[]time.Duration) (int, string, []byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, jc.host+path, body)
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	*lat = append(*lat, time.Since(start))
	if err != nil {
		return 0, "", nil, err
	}
	if jc.record != nil {
		jc.record(exchange{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header.Clone(), Body: b})
	}
	return resp.StatusCode, resp.Header.Get("Location"), b, nil
}

// journey runs one respondent from the welcome page to the thank-you page.
func (jc *journeyClient) journey(rng *rand.Rand, lat *[]time.Duration) error {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Transport: jc.transport, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := jc.prefix + "/s/" + jc.surveyID
	status, _, page, err := jc.do(client, http.MethodGet, base, nil, lat)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("%w: welcome page: status %d", errJourney, status)
	}
	token, err := csrfToken(page)
	if err != nil {
		return err
	}
	status, loc, _, err := jc.do(client, http.MethodPost, base+"/start", url.Values{"_csrf": {token}}, lat)
	if err != nil {
		return err
	}
	if status != http.StatusSeeOther {
		return fmt.Errorf("%w: start: status %d", errJourney, status)
	}
	answers := sample.Answers(jc.form, rng)
	for range 4 * len(jc.form.Instrument.Sections) {
		status, _, _, err = jc.do(client, http.MethodGet, loc, nil, lat)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("%w: GET %s: status %d", errJourney, strings.TrimPrefix(loc, base), status)
		}
		if strings.HasSuffix(loc, "/done") {
			return nil
		}
		m := sectionRe.FindStringSubmatch(loc)
		if m == nil {
			return fmt.Errorf("%w: redirected to %s", errJourney, loc)
		}
		n, _ := strconv.Atoi(m[1])
		post := sectionForm(jc.form, n-1, answers)
		post.Set("_csrf", token)
		post.Set("_action", "next")
		status, next, _, err := jc.do(client, http.MethodPost, loc, post, lat)
		if err != nil {
			return err
		}
		if status != http.StatusSeeOther {
			return fmt.Errorf("%w: POST %s: status %d", errJourney, strings.TrimPrefix(loc, base), status)
		}
		loc = next
	}
	return fmt.Errorf("%w: no thank-you page after %d pages", errJourney, 4*len(jc.form.Instrument.Sections))
}

// csrfToken reads the token from the gzip-compressed welcome page.
func csrfToken(page []byte) (string, error) {
	if zr, err := gzip.NewReader(bytes.NewReader(page)); err == nil {
		if plain, err := io.ReadAll(zr); err == nil {
			page = plain
		}
	}
	m := csrfRe.FindSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("%w: no CSRF token on the welcome page", errJourney)
	}
	return string(m[1]), nil
}

// sectionForm is the form a browser posts for section si: the answers to
// its shown items, and the ids of those items in _shown.
func sectionForm(form *survey.Form, si int, a survey.Answers) url.Values {
	post := url.Values{}
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
	return post
}

// runJourneys runs n closed-loop virtual respondents for d.
func (jc *journeyClient) runJourneys(n int, d time.Duration) journeyStats {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu  sync.Mutex
		st  journeyStats
		ids atomic.Uint64
		wg  sync.WaitGroup
	)
	start := time.Now()
	for range n {
		wg.Go(func() {
			id := ids.Add(1)
			rng := rand.New(rand.NewPCG(id, uint64(time.Now().UnixNano())))
			lat := make([]time.Duration, 0, 4096)
			var done, errs int64
			var first string
			for ctx.Err() == nil {
				if err := jc.journey(rng, &lat); err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				done++
			}
			mu.Lock()
			st.journeys += done
			st.errors += errs
			if st.firstErr == "" {
				st.firstErr = first
			}
			st.latencies = append(st.latencies, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	st.elapsed = time.Since(start)
	st.requests = int64(len(st.latencies))
	slices.Sort(st.latencies)
	return st
}

func (st journeyStats) quantile(q float64) time.Duration {
	if len(st.latencies) == 0 {
		return 0
	}
	return st.latencies[int(q*float64(len(st.latencies)-1))]
}

// recordJourney runs one journey against Dyad, recording every exchange,
// and uploads the recording to the server's replay routes with paths,
// Location headers and cookie paths moved under the replay prefix.
func recordJourney(host, surveyID string, form *survey.Form, tr http.RoundTripper) error {
	var rec []exchange
	jc := &journeyClient{host: host, surveyID: surveyID, form: form, transport: tr,
		record: func(e exchange) { rec = append(rec, e) }}
	var lat []time.Duration
	if err := jc.journey(rand.New(rand.NewPCG(7, 7)), &lat); err != nil {
		return fmt.Errorf("recording a journey: %w", err)
	}
	for i := range rec {
		e := &rec[i]
		if loc := e.Header.Get("Location"); loc != "" {
			e.Header.Set("Location", replayPrefix+loc)
		}
		for j, c := range e.Header.Values("Set-Cookie") {
			e.Header["Set-Cookie"][j] = strings.Replace(c, "Path=/s/", "Path="+replayPrefix+"/s/", 1)
		}
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPut, host+"/api/v1/public/replay-pages", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("uploading the recorded pages: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("uploading the recorded pages: status %d (is the server built with -tags loadtest?)", resp.StatusCode)
	}
	return nil
}
