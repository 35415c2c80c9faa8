package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The import rules of the house (README, "Layout"): the domain at the
// centre imports only the standard library; the adapters around it
// (httpapi, web, admin, and each store driver under internal/store) import
// survey and the shared parts, never each other; internal/store, which
// picks the driver by the DSN, may import its drivers, and a driver never
// imports it back; web and admin share only the page kit, which the API
// does not use; server, pagekit and the services the adapters share
// (stats, export, instrument, chart, ...) know no adapter; the test
// support packages (internal/testkit/..., and those named *test such as
// storetest, exporttest, browsertest) are imported by tests only. They are
// checked on the real import graph of the non-test code, as `go list
// -deps` reports it.
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
	// testSupport tells a package that only tests may import.
	testSupport := func(pkg string) bool {
		return strings.HasPrefix(pkg, "internal/testkit/") || strings.HasSuffix(pkg, "test")
	}
	// group names the adapter a package belongs to, or "". Each store
	// driver (internal/store/sqlite, internal/store/postgres) is an
	// adapter of its own; internal/store itself, the driver picker, is
	// another, with internal/store/migrate, which copies between engines;
	// internal/store/ormstore, the gorm code the drivers share, is none
	// (like stats or export, it imports no adapter).
	group := func(pkg string) string {
		switch pkg {
		case "internal/store/ormstore":
			return "" // the gorm code the drivers share: they import it
		case "internal/store/migrate":
			return "internal/store" // works across engines, like the picker
		}
		if rest, ok := strings.CutPrefix(pkg, "internal/store/"); ok && !testSupport(pkg) {
			driver, _, _ := strings.Cut(rest, "/")
			return "internal/store/" + driver
		}
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
			case testSupport(dep) && !testSupport(pkg):
				t.Errorf("%s depends on %s: test support is imported by tests only", pkg, dep)
			case group(pkg) == "internal/store" && strings.HasPrefix(dep, "internal/store/"):
				// The driver picker, and the migration between engines,
				// import the drivers.
			case group(pkg) != "" && group(dep) != "" && group(dep) != group(pkg):
				t.Errorf("%s depends on %s: an adapter does not import another", pkg, dep)
			case group(pkg) == "" && group(dep) != "" && !strings.HasPrefix(pkg, "cmd/") && !testSupport(pkg):
				t.Errorf("%s depends on the adapter %s: adapters import it, not the other way round", pkg, dep)
			case dep == "internal/pagekit" && pkg != "internal/web" && pkg != "internal/admin" && !strings.HasPrefix(pkg, "cmd/"):
				t.Errorf("%s depends on internal/pagekit, the page kit of web and admin only", pkg)
			}
		}
	}
}
