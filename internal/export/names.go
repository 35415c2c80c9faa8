package export

import (
	"strconv"
	"strings"
)

// statName makes a name legal in both SPSS and Stata, the intersection of
// their rules: ASCII letters, digits and underscores only (anything else
// becomes _), a letter first (else a "v" is put in front), at most 32
// bytes (Stata's limit; SPSS takes 64), and not a word either reserves.
// Column.Short already meets these rules for every id the instrument
// validator accepts (lower-case letter, then letters, digits and _); the
// .sav and .dta writers still pass each name through here, so that no
// stored instrument, however old, can make a file SPSS or Stata refuses.
func statName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || !(b[0] >= 'a' && b[0] <= 'z' || b[0] >= 'A' && b[0] <= 'Z') {
		b = append([]byte{'v'}, b...)
	}
	if len(b) > MaxShortName {
		b = b[:MaxShortName]
	}
	n := string(b)
	if reservedName(strings.ToLower(n)) {
		n = n[:min(len(n), MaxShortName-2)] + "_v"
	}
	return n
}

// statNames returns the SPSS and Stata variable name of each column: its
// Short name made legal by statName and unique ignoring case (SPSS
// compares names without case), clashes numbered _2, _3, … as
// assignShortNames does.
func statNames(cols []Column) []string {
	names := make([]string, len(cols))
	taken := make(map[string]bool, len(cols))
	for i, c := range cols {
		base := statName(c.Short)
		name := base
		for n := 2; taken[strings.ToLower(name)]; n++ {
			suffix := "_" + strconv.Itoa(n)
			name = base[:min(len(base), MaxShortName-len(suffix))] + suffix
		}
		taken[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}
