package survey

// StatusFilter selects responses by status. It is the one reading of the
// status filter that the statistics, text answers, responses list and
// export routes, the dashboard and `dyad export --status` all take:
// complete, in_progress or all, with one wording for a bad value.
type StatusFilter string

// Status filters.
const (
	StatusComplete   StatusFilter = ResponseComplete
	StatusInProgress StatusFilter = ResponseInProgress
	StatusAll        StatusFilter = "all"
)

// StatusFilters lists the filters in the order they are offered.
var StatusFilters = []StatusFilter{StatusComplete, StatusInProgress, StatusAll}

// ParseStatusFilter reads a status filter as given (a query parameter, a
// form field, a flag). The empty string means dflt: every caller has a
// default (the responses list, all; everything else, complete), and
// leaving the parameter empty is the same as leaving it out. Any other
// value than the three is added to p, at path "status", with the one
// wording, and "" is returned; callers report it with their request's
// other problems.
func ParseStatusFilter(p *Problems, value string, dflt StatusFilter) StatusFilter {
	if value == "" {
		return dflt
	}
	for _, f := range StatusFilters {
		if value == string(f) {
			return f
		}
	}
	p.Add("status", "must be complete, in_progress or all, got %q", value)
	return ""
}

// Status is the value of the Status field of ResponseFilter, ExportFilter
// and TextAnswerFilter: the response status, or "" for every status.
func (f StatusFilter) Status() string {
	if f == StatusAll {
		return ""
	}
	return string(f)
}

// ParseIncludeTest reads include_test, the other half of the response
// filter: whether responses made in test mode are included. Exports,
// statistics, text answers and the responses list leave them out unless
// it is true; "" means false. Any value but true, false, 1 or 0 is added
// to p at path "include_test".
func ParseIncludeTest(p *Problems, value string) bool {
	switch value {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	p.Add("include_test", "must be true or false, got %q", value)
	return false
}
