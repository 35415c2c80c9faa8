package web

import (
	"bytes"
	"hash/crc32"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/flate"
)

// Pre-compressed section pages: a fresh page (none of its items answered
// yet, what every respondent sees the first time on each page) sent as
// gzip without compressing it per request.
//
// Compressing each page as it was sent was the largest single part of
// the server's work on a web journey, about a fifth of its instructions
// even at klauspost's BestSpeed (docs/performance.md), and one page in
// a journey is the same bytes for every respondent but for the CSRF
// token: on a fresh page the items are their unanswered fragments, and
// which of them are shown (the list in the form's _shown field, which the
// earlier answers decide) takes few values. So the page is sent as the
// welcome page is (stitch.go): one gzip member of three DEFLATE parts, the
// shell's text before the token (compressed once per shell, ended with a
// sync flush), the token as a stored block, and the rest of the page
// (compressed once per shell and list of shown items, final); the CRC-32
// and size of the trailer are computed per request over the page's text.
//
// What makes this safe: the rest of the page is filled per request as
// before, and its compressed form is used only when that text is byte for
// byte the one compressed (kept with it); anything else is compressed per
// request. Only pages with none of their own items answered are kept, so
// a kept tail holds no respondent's answer on it (the list of shown items
// says which follow-ups earlier answers revealed, as the fragments' hidden
// state does). TestSectionShellGzip holds decompressed pages to the plain
// ones through the router.
//
// Each part is compressed at BestCompression with Huffman tables of its
// own, which makes the page about as small as one compressed per request
// at BestSpeed (BenchmarkFreshSectionPage and BenchmarkPageGzip report
// the bytes of each on the same page).
//
// The tails are bounded, per shell (tailsPerShell: a page whose items
// are in an order of each respondent's own has too many lists to
// compress each at BestCompression) and across all shells (tailLimit);
// past either, a fresh page is sent from its kept head with its tail
// compressed per request at BestSpeed, and that compressed tail is kept
// in turn for its list, within bounds of its own (fastTailsPerShell,
// fastTailLimit). Like the shells, they are per process: several
// instances each compress their own, and nothing else changes.

// tailLimit bounds the kept tails: each is the rest of a section page
// plain (4-8 KB) and compressed (1-2 KB), so at most about 10 MB.
const tailLimit = 1024

// shellTail is the part of a fresh section page after the CSRF token, for
// one list of shown items.
type shellTail struct {
	plain []byte // the text compressed, to compare with each request's
	z     []byte // its final DEFLATE, on its own
}

// shellZ is the pre-compressed state of one shell.
type shellZ struct {
	once    sync.Once
	head    []byte // gzip header and sync-flushed DEFLATE of text[0]; nil if none
	crcHead uint32

	mu    sync.RWMutex
	tails map[string]*shellTail // by the list of shown items
}

// headZ compresses the shell's text before the CSRF token, once. It is nil
// when the token is not the first hole (the text before it would then
// hold a request's value) or compression failed.
func (s *shell) headZ() []byte {
	s.z.once.Do(func() {
		if s.holes[0] != holeCSRF {
			return
		}
		if z, ok := gzipHead(s.text[0]); ok {
			s.z.head, s.z.crcHead = z, crc32.ChecksumIEEE(s.text[0])
		}
	})
	return s.z.head
}

// gzipFresh appends to dst the fresh page with v in its holes as one gzip
// member: the shell's head and the token, then the tail kept for v.shown
// when the page's text after the token is the one kept, else that text
// compressed per request (at BestSpeed, as pages are). A shell keeps at
// most tailsPerShell tails, the first lists of shown items it meets
// (within sc's bound). It returns nil when the page cannot be sent so
// (the caller compresses it whole per request). tail is scratch space;
// the returned slice is dst's.
func (s *shell) gzipFresh(sc *shellCache, dst, tail []byte, v *shellValues) (out, scratch []byte) {
	head := s.headZ()
	if head == nil || 5*len(v.csrf) > 0xffff { // escaped, at most 5 bytes a byte
		return nil, tail
	}
	// The page's text after the token, filled as fill does.
	tail = tail[:0]
	for k := 1; k < len(s.holes); k++ {
		tail = append(tail, s.text[k]...)
		tail = s.fillHole(tail, s.holes[k], v)
	}
	tail = append(tail, s.text[len(s.holes)]...)

	s.z.mu.RLock()
	t, kept := s.z.tails[v.shown], len(s.z.tails)
	s.z.mu.RUnlock()
	if t == nil && kept < tailsPerShell {
		t = s.keepTail(sc, v.shown, tail)
	}
	unkept := t == nil // no tail for this list yet: the one compressed below may be kept
	if t != nil && !bytes.Equal(t.plain, tail) {
		t = nil
	}
	dst = append(dst, head...)
	// The token as a stored block: its header, the token escaped in place
	// as fill escapes it, then the header's LEN and NLEN written in.
	dst = append(dst, 0, 0, 0, 0, 0)
	at := len(dst)
	dst = attrEscape(dst, v.csrf)
	n := uint16(len(dst) - at)
	dst[at-4], dst[at-3], dst[at-2], dst[at-1] = byte(n), byte(n>>8), byte(^n), byte(^n>>8)
	crc := crc32.Update(s.z.crcHead, crc32.IEEETable, dst[at:])
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	if t != nil {
		dst = append(dst, t.z...)
	} else {
		at := len(dst)
		dst = appendDeflateFast(dst, tail)
		if unkept && kept < fastTailsPerShell {
			s.keepFastTail(sc, v.shown, tail, dst[at:])
		}
	}
	dst = appendTrailer(dst, crc, len(s.text[0])+int(n)+len(tail))
	return dst, tail
}

// tailsPerShell bounds the tails one shell keeps compressed at
// BestCompression. A page whose items come in an order of each
// respondent's own (randomize: items) has a list of shown items per
// order: compressing a tail for each at BestCompression cost more than
// the rest of a web journey's work together (BenchmarkJourney under
// callgrind), only to fill the bound shared with the pages in one order.
// Past it, such a page's tail is compressed per request at BestSpeed
// behind the kept head; a page in one order has a handful of lists, all
// kept.
const tailsPerShell = 8

// fastTailsPerShell and fastTailLimit bound the tails kept as compressed
// per request. Five shuffled items have 120 orders, so after a few hundred
// respondents each order has been met and is met again: compressing its
// tail once more was, with five such pages in the study survey, the
// largest single part of a journey's page work (docs/performance.md). A
// tail compressed at BestSpeed for a list with no tail yet is kept as it
// was sent (no work beyond the copy), up to fastTailsPerShell per shell
// and fastTailLimit in all, each the tail's text and its compressed form,
// 5-10 KB: at most about 20 MB, counted apart from the BestCompression
// tails so that pages in one order keep theirs. The per-shell bound holds
// the 720 orders of six shuffled items (the study survey's empathy page;
// at 256 two thirds of its pages were still compressed per request), and
// keeps one page with far more orders than that (eight items have 40,320)
// from taking the whole bound; the bound in all holds the study survey's
// 1,200 orders with room for a second survey's.
const (
	fastTailsPerShell = 1024
	fastTailLimit     = 2048
)

// flatePool compresses fresh pages' tails that are not kept, at BestSpeed
// with klauspost's flate, as pagekit compresses pages per request.
var flatePool = sync.Pool{New: func() any {
	fw, _ := flate.NewWriter(nil, flate.BestSpeed)
	return fw
}}

// sliceWriter appends what is written to it to its slice.
type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// appendDeflateFast appends text as a final DEFLATE of its own (it refers
// back to nothing before it), compressed at BestSpeed.
func appendDeflateFast(dst, text []byte) []byte {
	w := &sliceWriter{b: dst}
	fw := flatePool.Get().(*flate.Writer)
	fw.Reset(w)
	fw.Write(text)
	fw.Close()
	fw.Reset(nil)
	flatePool.Put(fw)
	return w.b
}

// keepTail compresses tail and keeps it for shown, unless the bound is
// reached; it returns the tail kept for shown (another request's, if one
// came first), or nil.
func (s *shell) keepTail(sc *shellCache, shown string, tail []byte) *shellTail {
	if sc.tails.Load() >= tailLimit {
		return nil
	}
	z, ok := deflateFinal(tail)
	if !ok {
		return nil
	}
	return s.addTail(shown, &shellTail{plain: bytes.Clone(tail), z: z}, tailsPerShell, &sc.tails)
}

// keepFastTail keeps z, tail's final DEFLATE as just sent, for shown,
// within the bounds of fast tails and unless shown has a tail already.
func (s *shell) keepFastTail(sc *shellCache, shown string, tail, z []byte) {
	if sc.fastTails.Load() >= fastTailLimit {
		return
	}
	s.addTail(shown, &shellTail{plain: bytes.Clone(tail), z: bytes.Clone(z)}, fastTailsPerShell, &sc.fastTails)
}

// addTail keeps t for shown, counted in kept, unless shown has a tail
// already or the shell keeps perShell; it returns the tail kept for shown
// (t, another request's that came first, or nil).
func (s *shell) addTail(shown string, t *shellTail, perShell int, kept *atomic.Int64) *shellTail {
	s.z.mu.Lock()
	defer s.z.mu.Unlock()
	if got := s.z.tails[shown]; got != nil {
		return got
	}
	if len(s.z.tails) >= perShell {
		return nil
	}
	if s.z.tails == nil {
		s.z.tails = map[string]*shellTail{}
	}
	s.z.tails[shown] = t
	kept.Add(1)
	return t
}
