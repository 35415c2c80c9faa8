package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"html/template"
	"io"
	"strings"
	"testing"
)

// TestShellTailsPerShell: a shell meeting more lists of shown items than
// it keeps tails for (a page whose items are in an order of each
// respondent's own) keeps tailsPerShell of them and sends the others
// with the tail compressed per request; every page decodes, as one gzip
// member, to the page fill writes, and a kept tail is still used for its
// list.
func TestShellTailsPerShell(t *testing.T) {
	page := "<html><head><title>A page</title></head><body><form>" +
		`<input name="_csrf" value="` + markCSRF + `">` +
		`<input name="_shown" value="` + markShown + `">` +
		markItems + strings.Repeat("<p>the rest of the page</p>", 40) + "</form></body></html>"
	s, ok := newShell([]byte(page))
	if !ok {
		t.Fatal("newShell refused the page")
	}
	var sc shellCache
	items := []template.HTML{"<fieldset>one</fieldset>", "<fieldset>two</fieldset>", "<fieldset>three</fieldset>"}
	send := func(order []int, token string) []byte {
		t.Helper()
		v := &shellValues{csrf: token, fresh: true}
		var ids []string
		for _, i := range order {
			v.items = append(v.items, items[i])
			ids = append(ids, fmt.Sprint("q", i))
		}
		v.shown = strings.Join(ids, " ")
		gz, _ := s.gzipFresh(&sc, nil, nil, v)
		if gz == nil {
			t.Fatalf("order %v: not sent pre-compressed", order)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("order %v: %v", order, err)
		}
		if want := s.fill(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("order %v: decoded\n%s\nwant\n%s", order, got, want)
		}
		return gz
	}
	orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}, {0, 1}, {1, 0}, {0, 2}, {2, 0}, {1, 2}, {2, 1}, {0}, {1}, {2}}
	if len(orders) <= tailsPerShell {
		t.Fatalf("%d orders do not pass the bound of %d tails", len(orders), tailsPerShell)
	}
	for round := range 2 {
		for k, o := range orders {
			send(o, fmt.Sprintf("token%d<&>%d", round, k))
		}
	}
	if n := len(s.z.tails); n != tailsPerShell || sc.tails.Load() != tailsPerShell {
		t.Errorf("%d tails kept (%d counted), want %d", n, sc.tails.Load(), tailsPerShell)
	}
	// A kept tail is sent as kept: its compressed bytes end the member.
	kept := s.z.tails["q0 q1 q2"]
	if kept == nil {
		t.Fatal("the first list met has no tail")
	}
	if gz := send(orders[0], "again"); !bytes.Contains(gz, kept.z) {
		t.Error("the kept tail is not in the page sent")
	}
}
