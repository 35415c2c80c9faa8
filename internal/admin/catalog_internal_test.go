package admin

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html/template"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/dyad-survey/dyad/internal/i18n"
)

// The dashboard's texts come from its message catalog
// (internal/i18n/dashboard/en.json). TestDashboardCatalog holds every
// template to that: it parses each template as the pages do, rebuilds
// its markup with every action cut out (a marker in its place), and
// fails on any word left in the text between tags or in an attribute
// that is shown or read out. What may stay is punctuation, numbers,
// names in <code> (commands, variables, file names) and the few names
// of allowedNames.

// allowedNames are names a template may write itself: the product's.
var allowedNames = []string{"Dyad"}

// readAttrs are the attributes whose values are shown or read out.
var (
	readAttr   = regexp.MustCompile(`\s(?:aria-label|aria-description|title|placeholder|alt)="([^"]*)"`)
	verbatim   = regexp.MustCompile(`(?s)<(code|script|style)\b[^>]*>.*?</(?:code|script|style)>`)
	markup     = regexp.MustCompile(`<[^>]*>`)
	hasLetters = regexp.MustCompile(`\p{L}{2,}`)
	// messageID is the shape of the catalog's ids, admin.<page>.<what>.
	messageID = regexp.MustCompile(`^admin\.[a-z_]+\.[a-z0-9_.]+$`)
)

// marker stands for an action in a template's rebuilt markup.
const marker = "\x00"

// skeleton rebuilds a template's markup from its parse tree: the text as
// written, with a marker for each action, condition, loop and call.
func skeleton(b *strings.Builder, n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			skeleton(b, c)
		}
	case *parse.TextNode:
		b.Write(n.Text)
	case *parse.IfNode:
		branch(b, &n.BranchNode)
	case *parse.RangeNode:
		branch(b, &n.BranchNode)
	case *parse.WithNode:
		branch(b, &n.BranchNode)
	default:
		b.WriteString(marker)
	}
}

func branch(b *strings.Builder, n *parse.BranchNode) {
	b.WriteString(marker)
	skeleton(b, n.List)
	b.WriteString(marker)
	if n.ElseList != nil {
		skeleton(b, n.ElseList)
		b.WriteString(marker)
	}
}

// messageCalls calls use for each {{t "id" ...}}, {{n "id" ...}} and
// {{forms "id"}} in the tree, bad for a call whose id is not a constant
// string (it could not be checked against the catalog), and text for
// every other string constant of an action: {{field $ "title" "s-title" "Internal name"}}
// writes words as surely as text between tags does.
func messageCalls(n parse.Node, use func(id string), bad, text func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			messageCalls(c, use, bad, text)
		}
	case *parse.ActionNode:
		messageCalls(n.Pipe, use, bad, text)
	case *parse.TemplateNode:
		messageCalls(n.Pipe, use, bad, text)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			messageCalls(c, use, bad, text)
		}
	case *parse.CommandNode:
		args := n.Args
		if id, ok := args[0].(*parse.IdentifierNode); ok && (id.Ident == "t" || id.Ident == "n" || id.Ident == "forms") {
			if s, ok := argAt(n, 1).(*parse.StringNode); ok {
				use(s.Text)
			} else {
				bad(n.String())
			}
			args = args[min(2, len(args)):]
		}
		for _, a := range args {
			messageCalls(a, use, bad, text)
		}
	case *parse.StringNode:
		text(n.Text)
	case *parse.IfNode:
		messageCalls(&n.BranchNode, use, bad, text)
	case *parse.RangeNode:
		messageCalls(&n.BranchNode, use, bad, text)
	case *parse.WithNode:
		messageCalls(&n.BranchNode, use, bad, text)
	case *parse.BranchNode:
		messageCalls(n.Pipe, use, bad, text)
		messageCalls(n.List, use, bad, text)
		messageCalls(n.ElseList, use, bad, text)
	}
}

// wording is a string constant that reads as words, not as a name, a
// value or an id ("settings", "s-title", "test-deleted").
var wording = regexp.MustCompile(`\p{L}{2,}.*\s|\s.*\p{L}{2,}`)

func argAt(n *parse.CommandNode, i int) parse.Node {
	if i < len(n.Args) {
		return n.Args[i]
	}
	return nil
}

// englishLeft returns the texts of a template's rebuilt markup that do
// not come from the catalog.
func englishLeft(src string) []string {
	var out []string
	src = verbatim.ReplaceAllString(src, marker)
	for _, m := range readAttr.FindAllStringSubmatch(src, -1) {
		if hasLetters.MatchString(m[1]) {
			out = append(out, "attribute: "+strings.ReplaceAll(m[1], marker, "{{…}}"))
		}
	}
	text := markup.ReplaceAllString(src, marker)
	for _, name := range allowedNames {
		text = strings.ReplaceAll(text, name, "")
	}
	for _, part := range strings.Split(text, marker) {
		if part = strings.TrimSpace(part); hasLetters.MatchString(part) {
			out = append(out, part)
		}
	}
	return out
}

// TestDashboardCatalog: no template of the dashboard writes English of
// its own; every message a template or the package's Go code names is
// in the catalog, by a constant id; every message of the catalog is used.
func TestDashboardCatalog(t *testing.T) {
	known := i18n.DashboardMessages()
	used := map[string]bool{}
	check := func(where, id string) {
		used[id] = true
		if !slices.Contains(known, id) {
			t.Errorf("%s: message %q is not in the dashboard's catalog", where, id)
		}
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatal(names, err)
	}
	for _, path := range names {
		data, err := fs.ReadFile(templateFS, path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(path, "templates/")
		set, err := template.New(name).Funcs(templateFuncs).Parse(string(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, tmpl := range set.Templates() {
			if tmpl.Tree == nil {
				continue
			}
			var b strings.Builder
			skeleton(&b, tmpl.Tree.Root)
			for _, text := range englishLeft(b.String()) {
				t.Errorf("%s (%s): text %q is not from the catalog", name, tmpl.Name(), text)
			}
			messageCalls(tmpl.Tree.Root, func(id string) { check(name, id) }, func(call string) {
				t.Errorf("%s: %s: a message's id must be a constant string", name, call)
			}, func(s string) {
				if wording.MatchString(s) {
					t.Errorf("%s (%s): string %q is not from the catalog", name, tmpl.Name(), s)
				}
			})
		}
	}
	// The Go code's messages: every string constant naming one.
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && messageID.MatchString(s) {
					check(fset.Position(lit.Pos()).String(), s)
				}
			}
			return true
		})
	}
	for _, id := range known {
		if !used[id] {
			t.Errorf("message %q of the dashboard's catalog is used nowhere", id)
		}
	}
}

// TestDashboardCatalogCatches: the check finds English left in text, in
// an attribute, and around actions, and lets names, numbers and code be.
func TestDashboardCatalogCatches(t *testing.T) {
	for src, want := range map[string][]string{
		`<h1>{{t "admin.x"}}</h1>`:                                 nil,
		`<p>{{.N}} · 42 (α = {{.A}})</p>`:                          nil,
		`<p><code>dyad serve</code> {{t "admin.x"}}</p>`:           nil,
		`<span class="logo">Dyad</span>`:                           nil,
		`<h1>Sign in</h1>`:                                         {"Sign in"},
		`<a aria-label="Open {{.Title}}">{{t "admin.x"}}</a>`:      {"attribute: Open {{…}}"},
		`<p>{{if .X}}{{t "admin.x"}}{{else}}Nothing{{end}}.</p>`:   {"Nothing"},
		`<p>Version {{.V}} of {{.T}}</p>`:                          {"Version", "of"},
		`<input placeholder="your password" value="{{.V}}">`:       {"attribute: your password"},
		`<script>const s = "words"</script><p>{{t "admin.x"}}</p>`: nil,
	} {
		set, err := template.New("x").Funcs(templateFuncs).Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		skeleton(&b, set.Tree.Root)
		if got := englishLeft(b.String()); !slices.Equal(got, want) {
			t.Errorf("%s: left %q, want %q", src, got, want)
		}
	}
}

// TestDashboardCatalogCatchesStrings: words passed as an action's string
// constant are found, ids and names are not, and an id made at run time
// is refused.
func TestDashboardCatalogCatchesStrings(t *testing.T) {
	src := `{{if eq .Saved "test-deleted"}}{{t "admin.a" "Title" (t "admin.b")}}{{end}}` +
		`{{template "setting-input" (field $ "title" "s-title" "Internal name" (print "A date, in " .TimeZone) .Title)}}` +
		`{{t (print "admin." .Page)}}`
	set, err := template.New("x").Funcs(templateFuncs).Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var ids, bad, words []string
	messageCalls(set.Tree.Root, func(id string) { ids = append(ids, id) }, func(call string) { bad = append(bad, call) }, func(s string) {
		if wording.MatchString(s) {
			words = append(words, s)
		}
	})
	if !slices.Equal(ids, []string{"admin.a", "admin.b"}) || len(bad) != 1 || !slices.Equal(words, []string{"Internal name", "A date, in "}) {
		t.Errorf("ids %q, bad %q, words %q", ids, bad, words)
	}
}
