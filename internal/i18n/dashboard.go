package i18n

import (
	"embed"
	"encoding/json"
	"sort"
	"strings"
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
	dashboardSource = raw
	ids := map[string]bool{}
	for id := range raw {
		ids[id] = true
	}
	return ids
}()

// dashboardSource is the dashboard's catalog as read, for
// DashboardPluralForms.
var dashboardSource map[string]any

// DashboardPluralForms returns the forms of the dashboard's plural
// message id by CLDR category, with "#" where the number goes, as
// PluralForms does for the respondent pages: for a script that words a
// count itself (the instrument editor's live check).
func DashboardPluralForms(id string) map[string]string {
	forms, _ := dashboardSource[id].(map[string]any)
	out := make(map[string]string, len(forms))
	for k, v := range forms {
		s, _ := v.(string)
		out[k] = strings.ReplaceAll(s, "{{.Count}}", "#")
	}
	return out
}

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
