package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

func TestStitched(t *testing.T) {
	page := []byte(strings.Repeat("<p>Before the hole, some repeated text.</p>\n", 40) +
		`<input type="hidden" name="_csrf" value="` + holeMark + `">` +
		strings.Repeat("<p>After the hole: more text, é ü 😀.</p>\n", 40))
	s, ok := newStitched(page)
	if !ok || !s.compressed {
		t.Fatal("page not stitched")
	}
	for _, token := range []string{"", "abc", strings.Repeat("x", 43), strings.Repeat("y", 70000)[:65535]} {
		want := bytes.Replace(page, []byte(holeMark), []byte(token), 1)
		if got := s.plain(token); !bytes.Equal(got, want) {
			t.Fatalf("plain page with token of %d bytes differs", len(token))
		}
		zr, err := gzip.NewReader(bytes.NewReader(s.gzip(token)))
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false) // one member, as browsers expect
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("token of %d bytes: %v", len(token), err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("gzip page with token of %d bytes differs", len(token))
		}
	}
	if _, ok := newStitched([]byte("no hole here")); ok {
		t.Fatal("a page without the mark was stitched")
	}
	if _, ok := newStitched([]byte(holeMark + holeMark)); ok {
		t.Fatal("a page with two marks was stitched")
	}
}
