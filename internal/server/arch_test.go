package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The import rules of the house (README, "Layout"): the domain at the
// centre imports only the standard library; the adapters around it
// (httpapi, web, admin, store) import survey and the shared HTTP parts,
// never each other; web and admin share only the page kit, which the API
// does not use; server and pagekit know no adapter. They are checked on
// the real import graph, as `go list -deps` reports it.
func TestImportRules(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH to list the imports with: %v", err)
	}
	out, err := exec.Command(goBin, "list", "-f", "{{.ImportPath}}|{{join .Deps \" \"}}", "github.com/dyad-survey/dyad/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/dyad-survey/dyad/"
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, ds, _ := strings.Cut(line, "|")
		deps[strings.TrimPrefix(pkg, mod)] = strings.Fields(ds)
	}
	if len(deps["internal/survey"]) == 0 || len(deps["internal/server"]) == 0 {
		t.Fatalf("go list did not list the packages: %s", out)
	}
	// group names the adapter a package belongs to, or "".
	group := func(pkg string) string {
		for _, a := range []string{"internal/httpapi", "internal/web", "internal/admin", "internal/store"} {
			if pkg == a || strings.HasPrefix(pkg, a+"/") {
				return a
			}
		}
		return ""
	}
	ours := func(d string) (string, bool) { return strings.TrimPrefix(d, mod), strings.HasPrefix(d, mod) }

	for pkg, ds := range deps {
		for _, d := range ds {
			dep, inModule := ours(d)
			switch {
			case pkg == "internal/survey":
				// Standard library packages have no dot in their first element.
				if first, _, _ := strings.Cut(d, "/"); strings.Contains(first, ".") {
					t.Errorf("internal/survey depends on %s: the domain imports only the standard library", d)
				}
			case !inModule:
			case group(pkg) != "" && group(dep) != "" && group(dep) != group(pkg):
				t.Errorf("%s depends on %s: an adapter does not import another", pkg, dep)
			case (pkg == "internal/server" || pkg == "internal/pagekit") && group(dep) != "":
				t.Errorf("%s depends on the adapter %s: adapters import it, not the other way round", pkg, dep)
			case dep == "internal/pagekit" && pkg != "internal/web" && pkg != "internal/admin" && !strings.HasPrefix(pkg, "cmd/"):
				t.Errorf("%s depends on internal/pagekit, the page kit of web and admin only", pkg)
			}
		}
	}
}
