package httpapi_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/server"
	"github.com/dyad-survey/dyad/internal/survey"
)

// TestPublicSurveyGzip: the cached public form is served compressed to
// clients that ask, identical once decompressed, and reflects a close at
// once despite the cache.
func TestPublicSurveyGzip(t *testing.T) {
	t.Parallel()
	srv, svc := limitedServer(t, server.Config{})
	ctx := context.Background()
	in := &survey.Instrument{Key: "gzip-check", Version: 1, Title: "G",
		Sections: []survey.Section{{ID: "s", Title: "S", Items: []survey.Item{{ID: "q", Type: survey.Text, Text: "Q"}}}}}
	if _, err := svc.CreateInstrument(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, "gzip-check", 1); err != nil {
		t.Fatal(err)
	}
	sv, err := svc.CreateSurvey(ctx, survey.NewSurvey{InstrumentKey: "gzip-check", InstrumentVersion: 1, Title: "G", Access: survey.AccessOpen})
	if err != nil {
		t.Fatal(err)
	}
	get := func(gz bool) (string, http.Header) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/public/surveys/"+sv.ID, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		// A Transport that does not add or undo gzip on its own.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		b, _ := io.ReadAll(r)
		return string(b), resp.Header
	}
	plain, h := get(false)
	if h.Get("Content-Encoding") != "" {
		t.Fatal("compressed for a client that did not ask")
	}
	zipped, h := get(true)
	if h.Get("Content-Encoding") != "gzip" || h.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("headers %v", h)
	}
	if plain != zipped {
		t.Fatal("the gzip body differs from the plain one")
	}
	if _, err := svc.CloseSurvey(ctx, sv.ID); err != nil {
		t.Fatal(err)
	}
	if after, _ := get(true); after == plain || !strings.Contains(after, `"accepting":false`) {
		t.Fatalf("after close the cached form still says it accepts: %s", after[:120])
	}
}
