package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/store/enginetest"
	"github.com/dyad-survey/dyad/internal/testkit/fixtures"
)

// TestRandomizedOrderAPI: an instrument with randomised order goes
// through the API as written; the public form says which parts the web
// form randomises; a response submitted through the API is stored as
// sent, and its order cells in the export are empty (its client chose the
// order); a fixed follow-up is refused with its path.
func TestRandomizedOrderAPI(t *testing.T) {
	t.Parallel()
	enginetest.Run(t, func(t *testing.T, engine string) {
		data := enginetest.Open(t, engine)
		e := serveEnv(t, data, nil, func(c *config) { c.API.Responses = data.Store })
		text := fixtures.Instrument("randomized.yaml")
		bad := strings.Replace(text, "        show_if: {item: v_2, in: [4, 5]}", "        show_if: {item: v_2, in: [4, 5]}\n        fixed: true", 1)
		body := e.mustDo(t, request{Method: "POST", URL: "/api/v1/instruments", Body: bad, ContentType: ctYAML, Authorization: bearer}, http.StatusUnprocessableEntity)
		if !bytes.Contains(body, []byte(`"path":"sections[1].items[3].fixed"`)) || !bytes.Contains(body, []byte(`mark \"v_2\" fixed instead`)) {
			t.Errorf("a fixed follow-up: %s", body)
		}

		e.createInstrument(t, text, ctYAML)
		def := getDefinition(t, e, "randomized-test", 1)
		if def["randomize"] != "sections" {
			t.Errorf("the definition lost randomize: %v", def["randomize"])
		}
		e.publish(t, "randomized-test", 1)
		id := e.createSurvey(t, map[string]any{"instrument_key": "randomized-test"})
		pub := e.mustDo(t, request{Method: "GET", URL: "/api/v1/public/surveys/" + id}, http.StatusOK)
		var form struct {
			Instrument struct {
				Randomize string `json:"randomize"`
				Sections  []struct {
					ID        string `json:"id"`
					Randomize string `json:"randomize"`
					Fixed     bool   `json:"fixed"`
					Items     []struct {
						ID    string `json:"id"`
						Fixed bool   `json:"fixed"`
					} `json:"items"`
				} `json:"sections"`
			} `json:"instrument"`
		}
		mustUnmarshal(t, pub, &form)
		in := form.Instrument
		if in.Randomize != "sections" || !in.Sections[0].Fixed || in.Sections[1].Fixed || in.Sections[1].Randomize != "items" ||
			!in.Sections[1].Items[0].Fixed || in.Sections[1].Items[1].Fixed || !in.Sections[4].Fixed || in.Sections[3].Randomize != "" {
			t.Errorf("public form's order: %s", pub)
		}

		answers := map[string]any{"role": 2, "v_1": 5, "v_2": 4, "v_2_why": "Letters", "t_3": 1, "u_1": 3}
		b, _ := json.Marshal(map[string]any{"answers": answers})
		res := e.submit(t, id, string(b), http.StatusCreated)
		list := e.responses(t, id)
		if len(list) != 1 || list[0].ID != res.ID || !sameJSON(t, list[0].Answers, answers) {
			t.Fatalf("listed %+v, want the answers sent %v", list, answers)
		}
		export := e.mustDo(t, request{Method: "GET", URL: "/api/v1/surveys/" + id + "/export.csv", Authorization: bearer}, http.StatusOK)
		recs, err := csv.NewReader(bytes.NewReader(export)).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("export: %d rows, %v", len(recs), err)
		}
		n := 0
		for c, name := range recs[0] {
			if strings.HasSuffix(name, "__pos") || strings.HasSuffix(name, "__page") {
				n++
				if recs[1][c] != "" {
					t.Errorf("%s = %q for a response sent through the API", name, recs[1][c])
				}
			}
		}
		if n != 15 {
			t.Errorf("%d order columns in the export, want 15", n)
		}
	})
}
