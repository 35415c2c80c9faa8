package web

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
)

// A stitched page is a rendered page with one hole, for the per-visitor
// CSRF token, kept both plain and as pre-compressed gzip pieces. The
// welcome page is the one every respondent of a mailing opens, and
// rendering and compressing it per request was most of its cost; serving
// it this way costs a copy and a CRC.
//
// The gzip form is one valid gzip member built from three DEFLATE parts:
// the text before the hole, compressed and ended with a sync flush (which
// leaves the stream at a byte boundary, not final); the token as a stored
// block; the text after the hole, compressed on its own and final. A
// DEFLATE block may only refer back to text its own compressor has seen,
// so the parts concatenate into a valid stream. The trailer's CRC-32 and
// size are computed per request over the whole text.
type stitched struct {
	pre, post  []byte
	zpre       []byte // gzip header and the sync-flushed DEFLATE of pre
	zpost      []byte // the final DEFLATE of post
	crcPre     uint32
	compressed bool
}

// holeMark stands for the token while the page is rendered: it survives
// html/template's escaping unchanged and cannot occur in a page otherwise.
const holeMark = "dyadCSRFhole0f3c9a"

// newStitched splits page at its one hole; ok is false when the mark is
// not there exactly once.
func newStitched(page []byte) (*stitched, bool) {
	i := bytes.Index(page, []byte(holeMark))
	if i < 0 || bytes.Count(page, []byte(holeMark)) != 1 {
		return nil, false
	}
	s := &stitched{pre: bytes.Clone(page[:i]), post: bytes.Clone(page[i+len(holeMark):])}
	s.crcPre = crc32.ChecksumIEEE(s.pre)
	zpre, ok := gzipHead(s.pre)
	if !ok {
		return s, true
	}
	zpost, ok := deflateFinal(s.post)
	if !ok {
		return s, true
	}
	s.zpre, s.zpost, s.compressed = zpre, zpost, true
	return s, true
}

// plain returns the page with the token in its hole.
func (s *stitched) plain(token string) []byte {
	b := make([]byte, 0, len(s.pre)+len(token)+len(s.post))
	b = append(b, s.pre...)
	b = append(b, token...)
	return append(b, s.post...)
}

// gzip returns the page with the token in its hole as one gzip member.
func (s *stitched) gzip(token string) []byte {
	b := make([]byte, 0, len(s.zpre)+5+len(token)+len(s.zpost)+8)
	b = append(b, s.zpre...)
	b = appendStored(b, token)
	b = append(b, s.zpost...)
	crc := crc32.Update(s.crcPre, crc32.IEEETable, []byte(token))
	crc = crc32.Update(crc, crc32.IEEETable, s.post)
	return appendTrailer(b, crc, len(s.pre)+len(token)+len(s.post))
}

// The pieces a pre-compressed page is made of (here and in the section
// shells, shellgzip.go).

// gzipHead returns a gzip header and the DEFLATE of text ended with a sync
// flush: byte-aligned and not final, so that more blocks may follow.
func gzipHead(text []byte) ([]byte, bool) {
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(text)
	if err := zw.Flush(); err != nil {
		return nil, false
	}
	return z.Bytes(), true
}

// deflateFinal returns the DEFLATE of text, compressed on its own (it
// refers back to nothing before it) and final.
func deflateFinal(text []byte) ([]byte, bool) {
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write(text)
	if err := fw.Close(); err != nil {
		return nil, false
	}
	return z.Bytes(), true
}

// appendStored appends data (at most 65,535 bytes) as a stored DEFLATE
// block: BFINAL=0 and BTYPE=00 in a byte of its own (the sync flush before
// it left the stream byte-aligned), then LEN and its complement.
func appendStored(b []byte, data string) []byte {
	n := uint16(len(data))
	b = append(b, 0x00, byte(n), byte(n>>8), byte(^n), byte(^n>>8))
	return append(b, data...)
}

// appendTrailer appends the gzip trailer: the CRC-32 of the whole text
// and its size.
func appendTrailer(b []byte, crc uint32, size int) []byte {
	b = binary.LittleEndian.AppendUint32(b, crc)
	return binary.LittleEndian.AppendUint32(b, uint32(size))
}

// A keptPage is a page that is the same bytes for every visitor (the
// thank-you page), rendered once and kept plain and compressed, so that
// neither its template nor its compression runs per request.
type keptPage struct {
	plain, gz []byte // gz is nil when the page is too small to compress
}

// newKeptPage keeps page, compressing it once at BestCompression.
func newKeptPage(page []byte) *keptPage {
	k := &keptPage{plain: page}
	if len(page) >= 1024 { // pagekit.WriteBody's threshold
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(page)
		if zw.Close() == nil {
			k.gz = z.Bytes()
		}
	}
	return k
}
