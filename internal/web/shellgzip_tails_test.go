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
// it compresses tails for at BestCompression (a page whose items are in
// an order of each respondent's own) compresses tailsPerShell of them so
// and keeps the others as compressed per request, at their first request;
// every page decodes, as one gzip member, to the page fill writes, and
// each kept tail, of either kind, is used for its list from then on.
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
		for _, i := range order {
			v.items = append(v.items, items[i])
		}
		v.shown = shownOf(order)
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
	if n := len(s.z.tails); n != len(orders) || sc.tails.Load() != tailsPerShell || sc.fastTails.Load() != int64(len(orders)-tailsPerShell) {
		t.Errorf("%d tails kept (%d and %d counted), want %d: %d at BestCompression", n, sc.tails.Load(), sc.fastTails.Load(), len(orders), tailsPerShell)
	}
	// A kept tail is sent as kept: its compressed bytes end the member.
	for k, o := range orders {
		shown := shownOf(o)
		kept := s.z.tails[shown]
		if kept == nil {
			t.Fatalf("list %q has no tail", shown)
		}
		if gz := send(o, fmt.Sprint("again", k)); !bytes.Contains(gz, kept.z) {
			t.Errorf("list %q: the kept tail is not in the page sent", shown)
		}
	}
	if n := len(s.z.tails); n != len(orders) {
		t.Errorf("%d tails kept after the lists were met again, want %d", n, len(orders))
	}
}

// shownOf is the list of shown items of the items in order.
func shownOf(order []int) string {
	ids := make([]string, len(order))
	for k, i := range order {
		ids[k] = fmt.Sprint("q", i)
	}
	return strings.Join(ids, " ")
}

// TestShellFastTailsBounded: a page with more lists of shown items than
// fastTailsPerShell keeps that many tails in all and sends the others
// compressed per request, each decoding to the page; the count across
// shells stops at fastTailLimit.
func TestShellFastTailsBounded(t *testing.T) {
	page := "<html><body><form>" +
		`<input name="_csrf" value="` + markCSRF + `">` +
		`<input name="_shown" value="` + markShown + `">` +
		markItems + "</form></body></html>"
	s, ok := newShell([]byte(page))
	if !ok {
		t.Fatal("newShell refused the page")
	}
	var sc shellCache
	send := func(k int) {
		t.Helper()
		v := &shellValues{csrf: "token", fresh: true, shown: fmt.Sprint("q", k), items: []template.HTML{template.HTML(fmt.Sprintf("<p>item %d</p>", k))}}
		gz, _ := s.gzipFresh(&sc, nil, nil, v)
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, s.fill(nil, v)) {
			t.Fatalf("list %d: decoded %q (%v), want %q", k, got, err, s.fill(nil, v))
		}
	}
	for k := range fastTailsPerShell + 50 {
		send(k)
	}
	if n := len(s.z.tails); n != fastTailsPerShell || sc.fastTails.Load() != fastTailsPerShell-tailsPerShell {
		t.Errorf("%d tails kept (%d fast), want %d (%d fast)", n, sc.fastTails.Load(), fastTailsPerShell, fastTailsPerShell-tailsPerShell)
	}
	send(fastTailsPerShell + 7) // one not kept, sent again: still right
	if n := len(s.z.tails); n != fastTailsPerShell {
		t.Errorf("%d tails kept past the bound", n)
	}

	// Across shells: with both counts at their limits, a new shell keeps
	// no tail; with only the BestCompression one there, it keeps a fast one.
	v := &shellValues{csrf: "token", fresh: true, shown: "other", items: []template.HTML{"<p>x</p>"}}
	sc.tails.Store(tailLimit)
	for limit, want := range map[int64]int{fastTailLimit: 0, fastTailLimit - 1: 1} {
		sc.fastTails.Store(limit)
		s2, _ := newShell([]byte(page))
		for range 2 {
			s2.gzipFresh(&sc, nil, nil, v)
		}
		if n := len(s2.z.tails); n != want {
			t.Errorf("fast tails counted %d of %d: a new shell kept %d tails, want %d", limit, fastTailLimit, n, want)
		}
	}
	if sc.fastTails.Load() != fastTailLimit {
		t.Errorf("%d fast tails counted past the limit of %d", sc.fastTails.Load(), fastTailLimit)
	}
}
