package i18n

import (
	"embed"
	"encoding/json"
	"sort"
)

// The dashboard's messages.
//
// The researcher dashboard (internal/admin) is English only, but its
// strings go through this catalog too, from their own file
// (dashboard/en.json, message ids starting "admin."), so that a
// translation of the dashboard is a file to add, not templates to edit.
// They are parsed into the same bundle as the respondent messages, so
// Lang.T reads both; they are kept apart from the respondent catalog's
// sources, whose every message every shipped language must have
// (TestCatalogComplete): the dashboard's have English alone.

//go:embed dashboard/en.json
var dashboardFS embed.FS

// dashboardIDs are the dashboard's message ids, for the tests.
var dashboardIDs = func() map[string]bool {
	buf, err := dashboardFS.ReadFile("dashboard/en.json")
	if err != nil {
		panic(err)
	}
	// The file's name gives go-i18n its language.
	bundle.MustParseMessageFileBytes(buf, "dashboard.en.json")
	var raw map[string]any
	if err := json.Unmarshal(buf, &raw); err != nil {
		panic(err)
	}
	ids := map[string]bool{}
	for id := range raw {
		ids[id] = true
	}
	return ids
}()

// Dashboard is the dashboard's language: English.
func Dashboard() *Lang { return langs[Default] }

// DashboardMessages lists the dashboard's message ids, sorted.
func DashboardMessages() []string {
	out := make([]string, 0, len(dashboardIDs))
	for id := range dashboardIDs {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
